/* telnetconsole.h - the TelnetConsole extension: the telnet console on the crawl's loop. */
#ifndef KUMO_CONSOLE_TELNETCONSOLE_H
#define KUMO_CONSOLE_TELNETCONSOLE_H

#include "kumo-int.h"
#include "kumo/plugin.h"

/* TelnetConsole (TELNETCONSOLE_*): opens kumo__telnet_new() once the spider opened.  Named
 * by the built-in extension list (ext/builtin.c, declared there through ext/ext.h). */
extern const kumo_ext_def kumo__ext_telnetconsole;

#endif
