/* webpage.c - src/ext/webpage.html, embedded at build time (the Makefile makes this object
 * depend on it; paths are relative to the tree's root, where make runs). */
#include "ext/webpage.h"

extern const char kumo__webpage_start[], kumo__webpage_end[];

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl kumo__webpage_start\n"
        ".hidden kumo__webpage_start\n"
        "kumo__webpage_start:\n"
        ".incbin \"src/ext/webpage.html\"\n"
        ".globl kumo__webpage_end\n"
        ".hidden kumo__webpage_end\n"
        "kumo__webpage_end:\n"
        ".byte 0\n"
        ".previous\n");

const char *kumo__webpage(size_t *len)
{
    *len = (size_t)(kumo__webpage_end - kumo__webpage_start);
    return kumo__webpage_start;
}
