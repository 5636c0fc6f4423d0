/* context_aarch64.S — context switch for AArch64 (AAPCS64, Linux).
 * Frame saved on the suspended stack (176 bytes, 16-byte aligned):
 *   +0 x19 x20  +16 x21 x22  +32 x23 x24  +48 x25 x26  +64 x27 x28
 *   +80 x29 x30(lr)  +96 d8 d9  +112 d10 d11  +128 d12 d13  +144 d14 d15
 *   +160 FPCR  +168 padding
 * make_context (context.cpp) builds the same frame with x19 = entry,
 * x20 = arg and lr pointing at wippy_ctx_start. */
#if defined(__aarch64__) && defined(__linux__)

        .text

        .globl  wippy_ctx_switch
        .type   wippy_ctx_switch, %function
        .p2align 4
/* void wippy_ctx_switch(void** save_sp [x0], void* resume_sp [x1]) */
wippy_ctx_switch:
        .cfi_startproc
        hint    #34                     /* bti c: a no-op without BTI */
        sub     sp, sp, #176
        .cfi_adjust_cfa_offset 176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8,  d9,  [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mrs     x9, fpcr
        str     x9, [sp, #160]

        mov     x9, sp
        str     x9, [x0]
        mov     sp, x1

        ldr     x9, [sp, #160]
        msr     fpcr, x9
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8,  d9,  [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        add     sp, sp, #176
        .cfi_adjust_cfa_offset -176
        ret
        .cfi_endproc
        .size   wippy_ctx_switch, .-wippy_ctx_switch

/* First code run on a fresh fiber stack (reached by `ret` above). Calls
 * entry(arg); entry never returns. lr is undefined so unwinding stops. */
        .globl  wippy_ctx_start
        .type   wippy_ctx_start, %function
        .p2align 4
wippy_ctx_start:
        .cfi_startproc
        .cfi_undefined x30
        mov     x0, x20
        blr     x19
        brk     #1
        .cfi_endproc
        .size   wippy_ctx_start, .-wippy_ctx_start

#endif

#if defined(__linux__) && defined(__ELF__)
        .section .note.GNU-stack,"",%progbits
#endif
