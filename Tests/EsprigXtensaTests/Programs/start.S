/* Entry of a differential test program on the bare LX106 core: a stack at the top of data RAM,
 * main(), then the exit trap with main's result. Literals sit in front of the code by hand and
 * the calls are spelled out, so the file links the same with or without -mlongcalls and
 * -mtext-section-literals (the assembler would otherwise put literals in another section). */
	.section .text.start, "ax"
	.align 4
.Lstack:
	.word	_stack_top
.Lmain:
	.word	main
.Lexit:
	.word	test_exit
	.global _start
_start:
	l32r	a1, .Lstack
	l32r	a0, .Lmain
	callx0	a0
	l32r	a0, .Lexit
	callx0	a0
1:	j	1b
