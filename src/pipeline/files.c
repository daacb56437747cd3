/* files.c - the FilesPipeline (Scrapy's scrapy.pipelines.files.FilesPipeline): downloads
 * an item's file_urls through the downloader middlewares, stores them under FILES_STORE as
 * full/<sha1 of the url><ext> (written to a temporary file, then renamed) and sets the
 * item's files to [{url, path, checksum, status}].  The item waits in the pipeline
 * (KUMO_EAGAIN) until its files are done. */
#include "pipeline/files.h"
#include "core/registry.h"
#include "http/response.h"
#include "util/fs.h"
#include "util/md5.h"
#include "util/sha1.h"
#include "util/vec.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOGGER "kumo.pipelines.files"
#define CLASS_PATH "scrapy.pipelines.files.FilesPipeline"

enum { PENDING, DONE, FAILED };

/* One url of the crawl: fetched once, whatever items name it. */
typedef struct fileinfo {
    char *url;
    int state;
    char path[128];             /* full/SHA1.EXT */
    char checksum[33];
    const char *status;         /* "downloaded", "uptodate", "cached" */
    kumo_vec waiters;           /* jobs waiting for it (borrowed) */
} fileinfo;

/* One item waiting for its files. */
typedef struct job {
    kumo_item *item;            /* one reference */
    size_t n, pending;
    size_t *files;              /* index in the pipeline's files per url, SIZE_MAX: bad url */
    bool in_call;               /* process_item has not returned yet */
} job;

typedef struct files {
    kumo_crawler *c;
    char *store;
    int64_t expires_days;
    bool redirects;
    const char *urls_field, *result_field;  /* borrowed settings */
    kumo_map index;             /* url -> its index in infos */
    kumo_vec infos;             /* fileinfo * */
} files;

/* Python's mimetypes.guess_extension(guess_type(url)) for the common suffixes (what Scrapy's
 * file_path appends); any other suffix gives no extension. */
static const char *const ext_table[][2] = {
    {".7z", ".7z"},     {".avi", ".avi"},   {".bin", ".bin"},   {".bmp", ".bmp"},
    {".css", ".css"},   {".csv", ".csv"},   {".doc", ".doc"},   {".docx", ".docx"},
    {".epub", ".epub"}, {".exe", ".com"},   {".gif", ".gif"},   {".gz", ".gz"},
    {".htm", ".html"},  {".html", ".html"}, {".ico", ".ico"},   {".jpeg", ".jpg"},
    {".jpg", ".jpg"},   {".js", ".es"},     {".json", ".json"}, {".md", ".md"},
    {".mov", ".mov"},   {".mp3", ".mp3"},   {".mp4", ".mp4"},   {".odt", ".odt"},
    {".ods", ".ods"},   {".ogg", ".oga"},   {".pdf", ".pdf"},   {".png", ".png"},
    {".ppt", ".ppt"},   {".pptx", ".pptx"}, {".rar", ".rar"},   {".rtf", ".rtf"},
    {".svg", ".svg"},   {".tar", ".tar"},   {".tgz", ".tar"},   {".tif", ".tiff"},
    {".tiff", ".tiff"}, {".txt", ".txt"},   {".wav", ".wav"},   {".webp", ".webp"},
    {".xls", ".xls"},   {".xlsx", ".xlsx"}, {".xml", ".xsl"},   {".zip", ".zip"},
};

void kumo__files_path(const char *url, char *out, size_t n)
{
    kumo_sha1 s;
    unsigned char d[20];
    kumo__sha1_init(&s);
    kumo__sha1_update(&s, url, strlen(url));
    kumo__sha1_final(&s, d);
    /* Path(url).suffix: from the last '.' of the last path component (query included) */
    const char *last = strrchr(url, '/');
    last = last ? last + 1 : url;
    const char *dot = strrchr(last, '.');
    const char *ext = "";
    for (size_t i = 0; dot && dot != last && i < KUMO_ARRAY_LEN(ext_table); i++)
        if (strcasecmp(dot, ext_table[i][0]) == 0)     /* guess_type falls back to lower */
            ext = ext_table[i][1];
    char hex[41];
    for (int i = 0; i < 20; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    snprintf(out, n, "full/%s%s", hex, ext);
}

/* ---- the store ---- */

/* md5 of the file at path into hex; false when it cannot be read. */
static bool file_md5(const char *path, char hex[33])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    kumo_md5 m;
    kumo__md5_init(&m);
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        kumo__md5_update(&m, buf, got);
    bool ok = !ferror(f);
    fclose(f);
    kumo__md5_final_hex(&m, hex);
    return ok;
}

/* A stored file younger than FILES_EXPIRES: its checksum, status "uptodate". */
static bool fresh(files *fp, fileinfo *fi)
{
    char full[PATH_MAX];
    struct stat st;
    snprintf(full, sizeof(full), "%s/%s", fp->store, fi->path);
    if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double age_days = ((double)(now.tv_sec - st.st_mtim.tv_sec) +
                       (double)(now.tv_nsec - st.st_mtim.tv_nsec) / 1e9) / 86400.0;
    if (age_days > (double)fp->expires_days)
        return false;
    return file_md5(full, fi->checksum);
}

/* Write body to the store under fi->path: a temporary file beside it, then a rename, so a
 * kill never leaves a truncated file under the final name. */
static int store(files *fp, fileinfo *fi, const char *body, size_t len)
{
    char full[PATH_MAX], tmp[PATH_MAX + 16], dir[PATH_MAX];
    snprintf(full, sizeof(full), "%s/%s", fp->store, fi->path);
    snprintf(dir, sizeof(dir), "%s/full", fp->store);
    if (kumo__mkdirs(dir) != KUMO_OK)
        return KUMO_EIO;
    snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return KUMO_EIO;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, body + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    bool ok = off == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, full) != 0) {
        unlink(tmp);
        return KUMO_EIO;
    }
    chmod(full, 0644);      /* mkstemp made it 0600; Scrapy's files are plain 0644 ones */
    return KUMO_OK;
}

/* ---- jobs ---- */

static kumo_value entry_value(const fileinfo *fi)
{
    kumo_item *e = kumo_item_new();
    kumo_item_set_str(e, "url", fi->url);
    kumo_item_set_str(e, "path", fi->path);
    kumo_item_set_str(e, "checksum", fi->checksum);
    kumo_item_set_str(e, "status", fi->status);
    kumo_value v = kumo_val_obj((kumo_ref *)e);
    kumo_item_unref(e);
    return v;
}

/* item[FILES_RESULT_FIELD] = the files that were stored, in the order of its urls. */
static void job_result(files *fp, job *j)
{
    kumo_value list = kumo_val_list();
    for (size_t i = 0; i < j->n; i++) {
        if (j->files[i] == SIZE_MAX)
            continue;
        fileinfo *fi = fp->infos.v[j->files[i]];
        if (fi->state == DONE)
            kumo_val_list_push(&list, entry_value(fi));
    }
    kumo_item_set(j->item, fp->result_field, list);
}

static void job_free(job *j)
{
    kumo_item_unref(j->item);
    kumo_free(j->files);
    kumo_free(j);
}

/* fi is done (stored or failed): its waiting jobs go on. */
static void file_done(files *fp, fileinfo *fi)
{
    if (fi->state == DONE) {
        kumo_crawler_stats_inc(fp->c, "file_count", 1);
        kumo_crawler_stats_incf(fp->c, 1, "file_status_count/%s", fi->status);
    }
    while (fi->waiters.len) {
        job *j = kumo__vec_pop(&fi->waiters);
        if (--j->pending || j->in_call)
            continue;
        job_result(fp, j);
        kumo_crawler_item_resume(fp->c, j->item, KUMO_OK);
        job_free(j);
    }
}

static void on_download(void *ctx, kumo_request *req, kumo_response *res, int err)
{
    files *fp = ctx;
    const kumo_value *ix = kumo_map_get(kumo_request_meta(req), "_files_index");
    fileinfo *fi = ix && ix->type == KUMO_VAL_INT ? fp->infos.v[ix->u.i] : NULL;
    if (!fi)
        return;
    size_t len = 0;
    const char *body = res ? kumo_response_body(res, &len) : NULL;
    fi->state = FAILED;
    if (!res) {
        kumo_crawler_log(fp->c, LOGGER, "WARNING", "File (unknown-error): Error downloading "
                         "file from <GET %s>: %s", fi->url, kumo_strerror(err));
    } else if (kumo_response_status(res) != 200) {
        kumo_crawler_log(fp->c, LOGGER, "WARNING", "File (code: %d): Error downloading file "
                         "from <GET %s>", kumo_response_status(res), fi->url);
    } else if (!len) {
        kumo_crawler_log(fp->c, LOGGER, "WARNING", "File (empty-content): Error downloading "
                         "file from <GET %s>: empty content", fi->url);
    } else if (store(fp, fi, body, len) != KUMO_OK) {
        kumo_crawler_log(fp->c, LOGGER, "ERROR", "File (error): cannot store %s under '%s': %s",
                         fi->path, fp->store, strerror(errno));
    } else {
        kumo_md5 m;
        kumo__md5_init(&m);
        kumo__md5_update(&m, body, len);
        kumo__md5_final_hex(&m, fi->checksum);
        fi->status = res->flags & KUMO_RESPONSE_CACHED ? "cached" : "downloaded";
        fi->state = DONE;
    }
    file_done(fp, fi);
}

/* The fileinfo of url (new and started when the crawl has not seen it); SIZE_MAX for a
 * url that cannot be requested. */
static size_t file_for(files *fp, const char *url, job *j)
{
    int64_t known = kumo_map_get_int(&fp->index, url, -1);
    if (known >= 0) {
        fileinfo *fi = fp->infos.v[known];
        if (fi->state == PENDING) {
            j->pending++;
            kumo__vec_push(&fi->waiters, j);
        }
        return (size_t)known;
    }
    int err = KUMO_EURL;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    if (!req) {
        kumo_crawler_log(fp->c, LOGGER, "WARNING", "File (bad-url): cannot download '%s': %s",
                         url, kumo_strerror(err));
        return SIZE_MAX;
    }
    fileinfo *fi = kumo_calloc(1, sizeof(*fi), KUMO_T_OTHER, KUMO_V_ACTIVE);
    fi->url = kumo_strdup(url, KUMO_T_STR, KUMO_V_ACTIVE);
    kumo__vec_init(&fi->waiters, KUMO_T_LIST, KUMO_V_ACTIVE);
    kumo__files_path(url, fi->path, sizeof(fi->path));
    size_t idx = fp->infos.len;
    kumo__vec_push(&fp->infos, fi);
    kumo_map_set(&fp->index, url, kumo_val_int((int64_t)idx));
    if (fresh(fp, fi)) {
        fi->state = DONE;
        fi->status = "uptodate";
        kumo_request_unref(req);
        file_done(fp, fi);
        return idx;
    }
    j->pending++;
    kumo__vec_push(&fi->waiters, j);
    kumo_map *meta = kumo_request_meta(req);
    kumo_map_set(meta, "_files_index", kumo_val_int((int64_t)idx));
    if (!fp->redirects)     /* Scrapy's MEDIA_ALLOW_REDIRECTS off: a 3xx is the answer */
        kumo_map_set(meta, "handle_httpstatus_all", kumo_val_bool(1));
    kumo_crawler_download(fp->c, req, on_download, fp);
    return idx;
}

/* The urls of the item: a list of strings (or one string). */
static int files_process(void *self, kumo_crawler *c, kumo_item *item)
{
    (void)c;
    files *fp = self;
    const kumo_value *v = kumo_map_get(kumo_item_fields(item), fp->urls_field);
    size_t n = !v ? 0 : v->type == KUMO_VAL_LIST ? v->u.list->len : v->type == KUMO_VAL_STR;
    job *j = kumo_calloc(1, sizeof(*j), KUMO_T_OTHER, KUMO_V_ACTIVE);
    j->item = kumo_item_ref(item);
    j->files = kumo_calloc(n ? n : 1, sizeof(size_t), KUMO_T_LIST, KUMO_V_ACTIVE);
    j->in_call = true;
    for (size_t i = 0; i < n; i++) {
        const kumo_value *u = v->type == KUMO_VAL_LIST ? &v->u.list->v[i] : v;
        j->files[j->n++] = u->type == KUMO_VAL_STR ? file_for(fp, u->u.str.s, j) : SIZE_MAX;
    }
    j->in_call = false;
    if (j->pending)
        return KUMO_EAGAIN;             /* the job holds its reference to item */
    job_result(fp, j);
    job_free(j);
    return KUMO_OK;
}

/* Named in ITEM_PIPELINES (by its name or Scrapy's class path) and FILES_STORE set. */
static int files_open(kumo_crawler *c, void **self)
{
    int order;
    bool off = false;
    bool listed = kumo_crawler_setting_dict_order(c, "ITEM_PIPELINES", "FilesPipeline", &order,
                                                  &off) ||
                  kumo_crawler_setting_dict_order(c, "ITEM_PIPELINES", CLASS_PATH, &order,
                                                  &off);
    if (!listed || off)
        return KUMO_EDECLINED;
    const char *storedir = kumo_crawler_setting(c, "FILES_STORE");
    if (!storedir || !*storedir) {
        kumo_crawler_log(c, "kumo.middleware", "WARNING", "Disabled FilesPipeline: "
                         "FILES_STORE is not set");
        return KUMO_EDECLINED;
    }
    files *fp = kumo_calloc(1, sizeof(*fp), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    fp->c = c;
    fp->store = kumo_strdup(storedir, KUMO_T_STR, KUMO_V_DICT);
    fp->expires_days = kumo_crawler_setting_int(c, "FILES_EXPIRES");
    fp->redirects = kumo_crawler_setting_bool(c, "MEDIA_ALLOW_REDIRECTS");
    fp->urls_field = kumo_crawler_setting(c, "FILES_URLS_FIELD");
    fp->result_field = kumo_crawler_setting(c, "FILES_RESULT_FIELD");
    kumo_map_init(&fp->index, KUMO_T_DICT, KUMO_V_DICT);
    kumo__vec_init(&fp->infos, KUMO_T_LIST, KUMO_V_DICT);
    *self = fp;
    return KUMO_OK;
}

static void files_close(void *self, kumo_crawler *c)
{
    (void)c;
    files *fp = self;
    for (size_t i = 0; i < fp->infos.len; i++) {
        fileinfo *fi = fp->infos.v[i];
        while (fi->waiters.len) {       /* an immediate stop: the engine let the items go */
            job *j = kumo__vec_pop(&fi->waiters);
            if (--j->pending == 0)
                job_free(j);
        }
        kumo__vec_release(&fi->waiters);
        kumo_free(fi->url);
        kumo_free(fi);
    }
    kumo__vec_release(&fp->infos);
    kumo_map_release(&fp->index);
    kumo_free(fp->store);
    kumo_free(fp);
}

const kumo_pipeline_def kumo__pipeline_files = {
    KUMO_PIPELINE_HEADER,
    .name = "FilesPipeline",
    .order = 1,
    .open = files_open,
    .close = files_close,
    .process_item = files_process,
};

/* A built-in pipeline (the only one): off unless ITEM_PIPELINES names it (files_open). */
KUMO_REGISTER(register_files)
{
    kumo__register(KUMO_REG_PIPELINE, &kumo__pipeline_files, 0);
}
