/* hex.h - hexadecimal digits (percent-encoding, \x escapes). */
#ifndef KUMO_HEX_H
#define KUMO_HEX_H

/* Returns the value (0 to 15) of the hex digit c ('0'-'9', 'a'-'f', 'A'-'F'), or -1 for any
 * other byte (negative chars included): "not a digit", not an error code. */
int kumo__hex_value(int c);

#endif
