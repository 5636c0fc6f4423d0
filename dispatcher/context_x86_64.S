/* context_x86_64.S — context switch for x86-64 System V (Linux).
 * Frame saved on the suspended stack, lowest address first:
 *   +0 MXCSR (4 bytes)  +4 x87 control word (2 bytes)  +8 r15  +16 r14
 *   +24 r13  +32 r12  +40 rbx  +48 rbp  +56 return address
 * make_context (context.cpp) builds the same frame with r12 = entry,
 * r13 = arg and the return address pointing at wippy_ctx_start. */
#if defined(__x86_64__) && defined(__linux__)

        .text

        .globl  wippy_ctx_switch
        .type   wippy_ctx_switch, @function
        .p2align 4
/* void wippy_ctx_switch(void** save_sp [rdi], void* resume_sp [rsi]) */
wippy_ctx_switch:
        .cfi_startproc
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        pushq   %rbx
        .cfi_adjust_cfa_offset 8
        pushq   %r12
        .cfi_adjust_cfa_offset 8
        pushq   %r13
        .cfi_adjust_cfa_offset 8
        pushq   %r14
        .cfi_adjust_cfa_offset 8
        pushq   %r15
        .cfi_adjust_cfa_offset 8
        subq    $8, %rsp
        .cfi_adjust_cfa_offset 8
        stmxcsr (%rsp)
        fnstcw  4(%rsp)

        movq    %rsp, (%rdi)
        movq    %rsi, %rsp

        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        .cfi_adjust_cfa_offset -8
        popq    %r15
        .cfi_adjust_cfa_offset -8
        popq    %r14
        .cfi_adjust_cfa_offset -8
        popq    %r13
        .cfi_adjust_cfa_offset -8
        popq    %r12
        .cfi_adjust_cfa_offset -8
        popq    %rbx
        .cfi_adjust_cfa_offset -8
        popq    %rbp
        .cfi_adjust_cfa_offset -8
        ret
        .cfi_endproc
        .size   wippy_ctx_switch, .-wippy_ctx_switch

/* First code run on a fresh fiber stack: reached by the `ret` above with
 * rsp 16-byte aligned. Calls entry(arg); entry never returns. The return
 * address is marked undefined so unwinders and debuggers stop here. */
        .globl  wippy_ctx_start
        .type   wippy_ctx_start, @function
        .p2align 4
wippy_ctx_start:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r13, %rdi
        callq   *%r12
        ud2
        .cfi_endproc
        .size   wippy_ctx_start, .-wippy_ctx_start

#endif

#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack,"",%progbits
#endif
