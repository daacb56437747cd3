/* settings_defaults.c - every built-in setting: type, default and one line of doc. */
#include "core/settings.h"

#define S KUMO_SET_STR
#define I KUMO_SET_INT
#define F KUMO_SET_FLOAT
#define B KUMO_SET_BOOL
#define L KUMO_SET_LIST
#define D KUMO_SET_DICT

/* Sorted by name; conf/kumo.conf lists the same rows. */
const kumo_setting_info kumo_setting_infos[] = {
    {"BOT_NAME", S, "kumo", "name of the bot, used in the default User-Agent"},
    {"CLOSESPIDER_ERRORCOUNT", I, "0", "close after this many errors (finish_reason closespider_errorcount); 0 off"},
    {"CLOSESPIDER_ITEMCOUNT", I, "0", "close after this many items (closespider_itemcount); 0 off"},
    {"CLOSESPIDER_PAGECOUNT", I, "0", "close after this many responses (closespider_pagecount); 0 off"},
    {"CLOSESPIDER_TIMEOUT", F, "0", "close after this many seconds (closespider_timeout); 0 off"},
    {"COMPRESSION_ENABLED", B, "1", "ask for gzip, deflate and br and decode them (libcurl)"},
    {"CONCURRENT_REQUESTS", I, "16", "downloads in flight at most, over all domains"},
    {"CONCURRENT_REQUESTS_PER_DOMAIN", I, "8", "downloads in flight at most per domain"},
    {"DEFAULT_REQUEST_HEADERS", D,
     "{\"Accept\": \"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\", "
     "\"Accept-Language\": \"en\"}",
     "headers added to every request that does not set them"},
    {"DEPTH_LIMIT", I, "0", "drop requests deeper than this; 0 no limit"},
    {"DEPTH_PRIORITY", I, "0", "priority -= depth * this (positive: breadth first)"},
    {"DEPTH_STATS_VERBOSE", B, "0", "count requests per depth (request_depth_count/N)"},
    {"DOWNLOADER_MIDDLEWARES", D, "{}", "enable, disable (null) or reorder downloader middlewares"},
    {"DOWNLOADER_STATS", B, "1", "collect downloader/* stats"},
    {"DOWNLOAD_DELAY", F, "0", "seconds between two downloads from the same domain"},
    {"DOWNLOAD_MAXSIZE", I, "1073741824", "largest body in bytes, after decompression; 0 none"},
    {"DOWNLOAD_TIMEOUT", F, "180", "seconds before a download is given up"},
    {"DOWNLOAD_WARNSIZE", I, "33554432", "warn about bodies larger than this; 0 never"},
    {"DUPEFILTER_DEBUG", B, "0", "log every filtered duplicate, not only the first"},
    {"FEEDS", D, "{}", "feeds to write: {\"items.jsonl\": {\"format\": \"jsonlines\", "
     "\"overwrite\": true}}; -o and -O add to it"},
    {"FEED_EXPORT_ENCODING", S, "utf-8", "encoding of feed files (utf-8 only)"},
    {"HTTPERROR_ALLOWED_CODES", L, "", "non-2xx status codes passed to callbacks"},
    {"HTTPERROR_ALLOW_ALL", B, "0", "pass every response to callbacks, whatever its status"},
    {"ITEM_PIPELINES", D, "{}", "enable, disable (null) or reorder item pipelines"},
    {"LEAKWATCH_ENABLED", B, "1",
     "sample live objects and RSS, warn about classes that keep growing and ageing"},
    {"LEAKWATCH_FILE", S, NULL,
     "append one JSON line per sample to this file (t, rss, live and oldest per class)"},
    {"LEAKWATCH_INTERVAL_SECONDS", F, "10", "seconds between two LeakWatch samples; 0 off"},
    {"LEAKWATCH_MIN_COUNT", I, "100", "live objects a class needs before LeakWatch suspects it"},
    {"LEAKWATCH_SAMPLES", I, "5",
     "samples in a row a class must grow in, its oldest object unchanged, to be warned about"},
    {"LOGSTATS_INTERVAL", F, "60", "seconds between 'Crawled N pages' lines; 0 off"},
    {"LOG_ENABLED", B, "1", "write the log at all"},
    {"LOG_FILE", S, NULL, "write the log to this file instead of stderr"},
    {"LOG_LEVEL", S, "DEBUG", "DEBUG, INFO, WARNING, ERROR or CRITICAL"},
    {"MEMDEBUG_ENABLED", B, "0",
     "add memdebug/live_refs/<Class> (live objects per class) to the stats at close"},
    {"MEMUSAGE_CHECK_INTERVAL_SECONDS", F, "60.0", "seconds between two memory checks"},
    {"MEMUSAGE_ENABLED", B, "1",
     "track the process's memory: memusage/startup, memusage/max (peak), memusage/current"},
    {"MEMUSAGE_LIMIT_MB", I, "0",
     "close the spider (memusage_exceeded) when the peak RSS passes this many MiB; 0 off"},
    {"MEMUSAGE_WARNING_MB", I, "0", "warn once when the peak RSS passes this many MiB; 0 off"},
    {"RANDOMIZE_DOWNLOAD_DELAY", B, "1", "wait 0.5 to 1.5 times DOWNLOAD_DELAY"},
    {"REDIRECT_ENABLED", B, "1", "follow 3xx redirects"},
    {"REDIRECT_MAX_TIMES", I, "20", "redirects followed at most per request"},
    {"REDIRECT_PRIORITY_ADJUST", I, "2", "priority change of a redirected request"},
    {"RETRY_ENABLED", B, "1", "retry failed downloads"},
    {"RETRY_HTTP_CODES", L, "500,502,503,504,522,524,408,429", "status codes that are retried"},
    {"RETRY_PRIORITY_ADJUST", I, "-1", "priority change of a retried request"},
    {"RETRY_TIMES", I, "2", "retries per request, on top of the first try"},
    {"SPIDER_MIDDLEWARES", D, "{}", "enable, disable (null) or reorder spider middlewares"},
    {"STATS_DUMP", B, "1", "log the stats when the spider closes"},
    {"URLLENGTH_LIMIT", I, "2083", "drop requests with longer urls; 0 no limit"},
    {"USER_AGENT", S, "kumo/" KUMO_VERSION " (+https://github.com/kumo-crawler/kumo)",
     "User-Agent header of every request that does not set one"},
    {NULL, S, NULL, NULL},
};
