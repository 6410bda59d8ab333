#ifndef ESPRIG_SHIMS_H
#define ESPRIG_SHIMS_H

// Thin wrappers over calls Swift cannot make directly (variadic ioctl, termios2).
// Each returns 0 or a positive value on success and -1 with errno set on failure;
// no decisions are made here.

#include <stddef.h>

/// Puts the port in raw 8N1 mode (no echo, no flow control, VMIN=0/VTIME=0).
int esprig_make_raw(int fd);
/// Sets input and output speed to any integer baud through termios2 + BOTHER.
int esprig_set_baud(int fd, unsigned int baud);
/// Reads back the output speed from termios2 (what the driver accepted).
int esprig_get_baud(int fd, unsigned int *baud);
/// Sets DTR and RTS in one TIOCMSET so the two lines change together.
int esprig_set_modem_lines(int fd, int dtr, int rts);
/// Reads the modem lines: bit 0 DTR, bit 1 RTS.
int esprig_get_modem_lines(int fd, int *lines);
/// TIOCEXCL: further opens of this tty fail with EBUSY (except for root).
int esprig_set_exclusive(int fd);
/// Discards input the driver has buffered.
int esprig_flush_input(int fd);
/// Opens a new pseudo-terminal pair; the follower's path is written to `name`.
int esprig_open_pty(int *leader, int *follower, char *name, size_t name_len);
/// TIOCPKT-free helper: number of bytes waiting to be read.
int esprig_bytes_available(int fd, int *count);

#endif
