// rust_std.rs — a Rust wasm32-wasi (preview1) program using std::env,
// std::fs and std::time through wippy's preview1 host, printing what it saw
// in a stable form. Run by run_p1.sh with --dir SCRATCH::/data,
// --env GREETING=hello and the arguments `one` `two words`; exits with 7
// through std::process::exit when every check passed (so the status is a
// real proc_exit code), 1 otherwise.
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let mut failed = 0;
    let mut check = |ok: bool, what: &str| {
        println!("{} {}", if ok { "ok  " } else { "FAIL" }, what);
        if !ok {
            failed += 1;
        }
    };

    let args: Vec<String> = std::env::args().skip(1).collect();
    check(args == ["one", "two words"], "args");
    check(std::env::var("GREETING").as_deref() == Ok("hello"), "env GREETING");
    check(std::env::var("HOME").is_err(), "env HOME unset");

    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(30));
    check(t0.elapsed() >= Duration::from_millis(30), "sleep 30 ms");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    check(now.as_secs() > 1_600_000_000, "system time after 2020");

    check(fs::create_dir("/data/dir").is_ok(), "create_dir");
    check(fs::write("/data/dir/a.txt", b"hello rust").is_ok(), "write");
    check(fs::read_to_string("/data/dir/a.txt").ok().as_deref() == Some("hello rust"), "read_to_string");
    let mut f = fs::OpenOptions::new().read(true).write(true).open("/data/dir/a.txt").unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    f.write_all(b"RUST").unwrap();
    f.seek(SeekFrom::Start(0)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    check(s == "hello RUST", "seek, write, read back");
    check(fs::metadata("/data/dir/a.txt").map(|m| m.len() == 10 && m.is_file()).unwrap_or(false), "metadata");
    check(fs::rename("/data/dir/a.txt", "/data/dir/b.txt").is_ok(), "rename");
    let mut names: Vec<String> =
        fs::read_dir("/data/dir").unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    check(names == ["b.txt"], "read_dir");
    check(fs::read("/data/../etc/passwd").is_err(), "no escape with ..");
    check(fs::read("/etc/passwd").is_err(), "nothing outside the preopen");
    check(fs::remove_file("/data/dir/b.txt").is_ok(), "remove_file");
    check(fs::remove_dir("/data/dir").is_ok(), "remove_dir");

    println!("rust_std: {} failed", failed);
    std::process::exit(if failed == 0 { 7 } else { 1 });
}
