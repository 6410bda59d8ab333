#define _GNU_SOURCE
#include "CEsprigShims.h"

#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

// <asm/termbits.h> (termios2) and <termios.h> cannot be included together, so this file
// uses only the kernel structures.

int esprig_make_raw(int fd) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -1;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY);
    t.c_oflag &= ~OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS);
    t.c_cflag |= CS8 | CREAD | CLOCAL;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    return ioctl(fd, TCSETS2, &t);
}

int esprig_set_baud(int fd, unsigned int baud) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -1;
    t.c_cflag &= ~CBAUD;
    t.c_cflag |= BOTHER;
    t.c_cflag &= ~(CBAUD << IBSHIFT);
    t.c_cflag |= BOTHER << IBSHIFT;
    t.c_ispeed = baud;
    t.c_ospeed = baud;
    return ioctl(fd, TCSETS2, &t);
}

int esprig_get_baud(int fd, unsigned int *baud) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) != 0) return -1;
    *baud = t.c_ospeed;
    return 0;
}

int esprig_set_modem_lines(int fd, int dtr, int rts) {
    int lines = 0;
    if (ioctl(fd, TIOCMGET, &lines) != 0) return -1;
    if (dtr) lines |= TIOCM_DTR; else lines &= ~TIOCM_DTR;
    if (rts) lines |= TIOCM_RTS; else lines &= ~TIOCM_RTS;
    return ioctl(fd, TIOCMSET, &lines);
}

int esprig_get_modem_lines(int fd, int *out) {
    int lines = 0;
    if (ioctl(fd, TIOCMGET, &lines) != 0) return -1;
    *out = ((lines & TIOCM_DTR) ? 1 : 0) | ((lines & TIOCM_RTS) ? 2 : 0);
    return 0;
}

int esprig_set_exclusive(int fd) { return ioctl(fd, TIOCEXCL); }

int esprig_flush_input(int fd) { return ioctl(fd, TCFLSH, TCIFLUSH); }

int esprig_bytes_available(int fd, int *count) { return ioctl(fd, FIONREAD, count); }

int esprig_open_pty(int *leader, int *follower, char *name, size_t name_len) {
    int l = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (l < 0) return -1;
    if (grantpt(l) != 0 || unlockpt(l) != 0 || ptsname_r(l, name, name_len) != 0) {
        int saved = errno; close(l); errno = saved; return -1;
    }
    int f = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (f < 0) { int saved = errno; close(l); errno = saved; return -1; }
    *leader = l;
    *follower = f;
    return 0;
}
