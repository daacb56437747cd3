/* files.h - the FilesPipeline, a built-in item pipeline (off unless ITEM_PIPELINES names it
 * and FILES_STORE is set). */
#ifndef KUMO_FILES_H
#define KUMO_FILES_H

#include "kumo-int.h"
#include "kumo/plugin.h"

extern const kumo_pipeline_def kumo__pipeline_files;

/* Scrapy's FilesPipeline.file_path(): "full/<sha1 hex of url><ext>" into out, ext from the
 * url's suffix as Python's mimetypes gives it ("" when unknown). */
void kumo__files_path(const char *url, char *out, size_t n);

#endif
