/* site_quotes.c - the demo quotes site (in the manner of quotes.toscrape.com): content, pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "server.h"

/* Every author and quote below is made up for kumo's tests. */
enum {
    ADA, MIRELE, TOMAS, PENN, JONAS, AGNES, KOFI, ILSE, HAMISH, NOOR, PIETER, WEN, NAUTHORS
};

static const kumo_testsite_author authors[NAUTHORS] = {
    [ADA] = {"Ada Whitfield", "Ada-Whitfield", "March 3, 1851", "in Bath, England",
             "Ada Whitfield kept bees, a diary and a small lending library in her front "
             "parlour. Her sayings were collected by her nieces from the margins of "
             "almanacs."},
    [MIRELE] = {"Mirèle Fontaine", "Mirele-Fontaine", "July 21, 1863", "in Lyon, France",
                "Mirèle Fontaine ran a bakery on the quays of the Saône for forty years and "
                "wrote short letters to the newspaper about bread, rivers and neighbours."},
    [TOMAS] = {"Tomás O'Reilly", "Tomas-OReilly", "January 9, 1870", "in Galway, Ireland",
               "Tomás O'Reilly was a ferryman and a storyteller; he said the two trades were "
               "one, since both carry people somewhere they could not reach alone."},
    [PENN] = {"Rufus & Clara Penn", "Rufus-and-Clara-Penn", "May 30, 1848",
              "in Concord, Massachusetts",
              "Rufus & Clara Penn, farmers and teachers, signed everything they wrote with "
              "both names. Their household maxims were printed as a pamphlet in 1901."},
    [JONAS] = {"Jonas Ekberg", "Jonas-Ekberg", "October 12, 1839", "in Uppsala, Sweden",
               "Jonas Ekberg was a university librarian who wrote very little and, by his "
               "own account, read nearly everything."},
    [AGNES] = {"Agnès Moreau-Laval", "Agnes-Moreau-Laval", "February 14, 1882",
               "in Liège, Belgium",
               "Agnès Moreau-Laval translated between four languages and taught in three "
               "countries. Her notebooks mix grammar exercises with aphorisms."},
    [KOFI] = {"Kofi Mensah", "Kofi-Mensah", "August 6, 1875", "in Cape Coast, Gold Coast",
              "Kofi Mensah was a schoolmaster whose proverbs, some old and some his own, "
              "were copied onto slates by generations of pupils."},
    [ILSE] = {"Ilse Brandt", "Ilse-Brandt", "December 1, 1858", "in Lübeck, Germany",
              "Ilse Brandt kept the accounts of a shipping office and the peace of a large "
              "family, and claimed the second was harder."},
    [HAMISH] = {"Hamish Duncan-Reid", "Hamish-Duncan-Reid", "April 17, 1844",
                "in Perth, Scotland",
                "Hamish Duncan-Reid walked every hill in his county at least twice and "
                "wrote a guide to them that is mostly about the weather."},
    [NOOR] = {"Noor Haddad", "Noor-Haddad", "September 25, 1867", "in Beirut, Ottoman Syria",
              "Noor Haddad was a poet and a gardener whose house was famous for its open "
              "door and its lemon trees."},
    [PIETER] = {"Pieter van Dijk", "Pieter-van-Dijk", "June 2, 1855", "in Delft, Netherlands",
                "Pieter van Dijk built windmills and lenses, and wrote that both were ways "
                "of persuading nature to do a little work."},
    [WEN] = {"Wen Li", "Wen-Li", "November 19, 1861", "in Suzhou, China",
             "Wen Li painted landscapes and taught calligraphy; her sayings were written "
             "beside her paintings rather than under them."},
};

#define Q(a, t, ...) {t, &authors[a], {__VA_ARGS__}}

/* Grouped by author here; the site shows them in the order of site_order() below. */
static const kumo_testsite_quote quotes[] = {
    Q(ADA, "A kettle watched with patience boils at exactly the same hour as one watched "
           "with worry.", "patience", "humor"),
    Q(ADA, "Read widely, and the world will seem smaller and your room larger.", "books",
      "learning"),
    Q(ADA, "Kindness is the only coin that spends twice.", "kindness"),
    Q(ADA, "The garden does not hurry, and yet everything in it is done on time.", "nature",
      "time"),
    Q(MIRELE, "Every river I have known was once a rumour of rain.", "nature", "change"),
    Q(MIRELE, "Bread & patience rise in the same warm corner.", "patience", "work"),
    Q(MIRELE, "One does not find courage; one borrows it from tomorrow and repays it today.",
      "courage", "time"),
    Q(MIRELE, "A letter unwritten is the heaviest thing in the house.", "friendship",
      "silence"),
    Q(MIRELE, "Life is a café: the table is small, but the conversation can go on for ever.",
      "life", "friendship"),
    Q(TOMAS, "There's no road so long that a good companion won't shorten it.",
      "friendship"),
    Q(TOMAS, "I've never met a storm that didn't think it was the last one.", "hope",
      "humor"),
    Q(TOMAS, "The sea keeps no diary, yet it remembers every ship.", "nature", "truth"),
    Q(TOMAS, "Laugh first – the argument can wait its turn.", "humor"),
    Q(PENN, "Two oars, one boat, and no quarrel about the direction: that's a marriage.",
      "love", "work"),
    Q(PENN, "A house is built of boards; a home is built of evenings.", "love", "time"),
    Q(PENN, "Speak plainly, plant early, and forgive before supper.", "kindness", "work"),
    Q(PENN, "We kept a small lamp & a large welcome.", "kindness", "friendship"),
    Q(JONAS, "Winter teaches what summer only hints at.", "nature", "learning"),
    Q(JONAS, "The quiet man's opinion is usually the one worth asking for.", "silence",
      "truth"),
    Q(JONAS, "Count your candles, not your shadows.", "hope"),
    Q(JONAS, "A library is a conversation that never has to end.", "books"),
    Q(AGNES, "Truth arrives on foot; rumour hires a carriage.", "truth"),
    Q(AGNES, "To learn a language is to be given a second window in the same wall.",
      "learning"),
    Q(AGNES, "Courage is fear that has said its prayers – and then put on its boots.",
      "courage"),
    Q(AGNES, "The best hour of the day is the one you did not plan.", "time", "life"),
    Q(AGNES, "Every première is the last rehearsal somebody's mother missed.", "humor",
      "life"),
    Q(KOFI, "The drum is loud because it is empty; the granary is quiet because it is full.",
      "silence", "truth"),
    Q(KOFI, "A child who is taught to ask questions will never be lost for long.",
      "learning"),
    Q(KOFI, "Rain does not fall on one roof alone.", "kindness", "life"),
    Q(KOFI, "Walk with the elders and you will arrive before you leave.", "friendship",
      "learning"),
    Q(ILSE, "Order is a kindness we do for our future selves.", "work", "kindness"),
    Q(ILSE, "Every page turned is a small door opened.", "books"),
    Q(ILSE, "Hope is a stubborn guest: it will not leave just because you stop feeding it.",
      "hope"),
    Q(ILSE, "Change the curtains before you try to change the world.", "change", "humor"),
    Q(HAMISH, "The hills don't care who climbs them, which is why they are fair.", "nature",
      "truth"),
    Q(HAMISH, "A man's porridge tells you more about him than his speeches.", "humor",
      "truth"),
    Q(HAMISH, "Work well done is its own quiet applause.", "work"),
    Q(HAMISH, "Don't wait for the weather – there's always some.", "courage", "life"),
    Q(NOOR, "Love is not measured by the hours together but by the hours remembered.",
      "love", "time"),
    Q(NOOR, "A guest brings blessings in and carries worries out.", "kindness",
      "friendship"),
    Q(NOOR, "Between the olive tree and the sea there is room for every kind of prayer.",
      "nature", "hope"),
    Q(NOOR, "Whoever plants a cedar does it for a grandchild's shade.", "life", "change"),
    Q(PIETER, "Sensible people build dikes; wise people also learn to swim.", "courage",
      "learning"),
    Q(PIETER, "The wind is free, but the mill still has to be built.", "work"),
    Q(PIETER, "Light through a window is the best painter I've known.", "nature", "truth"),
    Q(PIETER, "Doubt is the whetstone of a sharp mind.", "learning", "truth"),
    Q(WEN, "Still water shows the moon; troubled water shows only itself.", "silence",
      "truth"),
    Q(WEN, "A journey of friends is measured in stories, not in miles.", "friendship"),
    Q(WEN, "The bamboo bends & survives; the oak stands & breaks.", "change", "courage"),
    Q(WEN, "Teach the hand and the mind will follow.", "learning", "work"),
};

#define NQUOTES (sizeof(quotes) / sizeof(quotes[0]))
#define NPAGES ((NQUOTES + KUMO_TESTSITE_PER_PAGE - 1) / KUMO_TESTSITE_PER_PAGE)

/* Site position i shows quotes[(i * 7) % NQUOTES]: 7 is prime to 50, so authors mix. */
_Static_assert(NQUOTES == 50, "the stride below assumes 50 quotes");

size_t kumo_testsite_nquotes(void)
{
    return NQUOTES;
}

const kumo_testsite_quote *kumo_testsite_quote_at(size_t i)
{
    if (i >= NQUOTES)
        return NULL;
    return &quotes[(i * 7) % NQUOTES];
}

size_t kumo_testsite_nauthors(void)
{
    return NAUTHORS;
}

const kumo_testsite_author *kumo_testsite_author_at(size_t i)
{
    return i < NAUTHORS ? &authors[i] : NULL;
}

/* ---- rendering ---- */

static void put_escaped(struct evbuffer *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': evbuffer_add(out, "&amp;", 5); break;
        case '<': evbuffer_add(out, "&lt;", 4); break;
        case '>': evbuffer_add(out, "&gt;", 4); break;
        case '"': evbuffer_add(out, "&quot;", 6); break;
        default: evbuffer_add(out, s, 1); break;
        }
    }
}

static void put_head(struct evbuffer *out, const char *title)
{
    evbuffer_add_printf(out,
                        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                        "<meta charset=\"UTF-8\">\n<title>%s</title>\n</head>\n<body>\n"
                        "<div class=\"container\">\n<div class=\"row header-box\">\n"
                        "<div class=\"col-md-8\"><h1><a href=\"/\" style=\"text-decoration: "
                        "none\">Quotes to Scrape</a></h1></div>\n"
                        "<div class=\"col-md-4\"><p><a href=\"/login\">Login</a></p></div>\n"
                        "</div>\n",
                        title);
}

static void put_foot(struct evbuffer *out)
{
    evbuffer_add_printf(out, "</div>\n<footer class=\"footer\"><div class=\"container\">"
                             "<p class=\"text-muted\">Quotes by: made up for kumo</p>"
                             "</div></footer>\n</body>\n</html>\n");
}

static void put_quote(struct evbuffer *out, const kumo_testsite_quote *q)
{
    evbuffer_add_printf(out, "<div class=\"quote\" itemscope "
                             "itemtype=\"http://schema.org/CreativeWork\">\n"
                             "    <span class=\"text\" itemprop=\"text\">\xe2\x80\x9c");
    put_escaped(out, q->text);
    evbuffer_add_printf(out, "\xe2\x80\x9d</span>\n"
                             "    <span>by <small class=\"author\" itemprop=\"author\">");
    put_escaped(out, q->author->name);
    evbuffer_add_printf(out, "</small>\n    <a href=\"/author/%s\">(about)</a>\n    </span>\n"
                             "    <div class=\"tags\">\n        Tags:\n"
                             "        <meta class=\"keywords\" itemprop=\"keywords\" "
                             "content=\"",
                        q->author->slug);
    for (size_t t = 0; t < 4 && q->tags[t]; t++)
        evbuffer_add_printf(out, "%s%s", t ? "," : "", q->tags[t]);
    evbuffer_add_printf(out, "\">\n");
    for (size_t t = 0; t < 4 && q->tags[t]; t++)
        evbuffer_add_printf(out, "        <a class=\"tag\" href=\"/tag/%s/page/1/\">%s</a>\n",
                            q->tags[t], q->tags[t]);
    evbuffer_add_printf(out, "    </div>\n</div>\n");
}

static int has_tag(const kumo_testsite_quote *q, const char *tag)
{
    for (size_t t = 0; t < 4 && q->tags[t]; t++)
        if (strcmp(q->tags[t], tag) == 0)
            return 1;
    return 0;
}

/*
 * One listing page: the quotes with tag (all when tag is NULL), page `page` (1-based).
 * prefix is where page links point: "" for the site, "/tag/T" for a tag.
 */
static void put_listing(struct evbuffer *out, const char *tag, const char *prefix,
                        unsigned long page)
{
    size_t skip = (page - 1) * KUMO_TESTSITE_PER_PAGE, shown = 0, more = 0;

    put_head(out, "Quotes to Scrape");
    if (tag)
        evbuffer_add_printf(out, "<h3>Viewing tag: <a href=\"/tag/%s/page/1/\">%s</a></h3>\n",
                            tag, tag);
    evbuffer_add_printf(out, "<div class=\"row\">\n<div class=\"col-md-8\">\n");
    for (size_t i = 0; i < NQUOTES; i++) {
        const kumo_testsite_quote *q = kumo_testsite_quote_at(i);
        if (tag && !has_tag(q, tag))
            continue;
        if (skip) {
            skip--;
            continue;
        }
        if (shown == KUMO_TESTSITE_PER_PAGE) {
            more = 1;
            break;
        }
        put_quote(out, q);
        shown++;
    }
    if (!shown)
        evbuffer_add_printf(out, "No quotes found!\n");
    evbuffer_add_printf(out, "<nav>\n<ul class=\"pager\">\n");
    if (page > 1 && shown)
        evbuffer_add_printf(out, "<li class=\"previous\"><a href=\"%s/page/%lu/\"><span "
                                 "aria-hidden=\"true\">&larr;</span> Previous</a></li>\n",
                            prefix, page - 1);
    if (more)
        evbuffer_add_printf(out, "<li class=\"next\"><a href=\"%s/page/%lu/\">Next <span "
                                 "aria-hidden=\"true\">&rarr;</span></a></li>\n",
                            prefix, page + 1);
    evbuffer_add_printf(out, "</ul>\n</nav>\n</div>\n</div>\n");
    put_foot(out);
}

static void put_author(struct evbuffer *out, const kumo_testsite_author *a)
{
    put_head(out, "Quotes to Scrape");
    evbuffer_add_printf(out, "<div class=\"author-details\">\n<h3 class=\"author-title\">");
    put_escaped(out, a->name);
    evbuffer_add_printf(out, "</h3>\n<p><strong>Born:</strong> "
                             "<span class=\"author-born-date\">");
    put_escaped(out, a->born_date);
    evbuffer_add_printf(out, "</span> <span class=\"author-born-location\">");
    put_escaped(out, a->born_place);
    evbuffer_add_printf(out, "</span></p>\n<p><strong>Description:</strong></p>\n"
                             "<div class=\"author-description\">\n");
    put_escaped(out, a->description);
    evbuffer_add_printf(out, "\n</div>\n</div>\n");
    put_foot(out);
}

/* Parse "N/" or "N" (all of s) as a page number >= 1; 0 when it is not one. */
static unsigned long page_number(const char *s)
{
    char *end;
    unsigned long n;

    if (*s < '1' || *s > '9')
        return 0;
    n = strtoul(s, &end, 10);
    if (*end == '/')
        end++;
    return *end || n > 100000 ? 0 : n;
}

/* Is s (of length n) one of the tags some quote carries? */
static int known_tag(const char *s, size_t n)
{
    for (size_t i = 0; i < NQUOTES; i++)
        for (size_t t = 0; t < 4 && quotes[i].tags[t]; t++)
            if (strlen(quotes[i].tags[t]) == n && memcmp(quotes[i].tags[t], s, n) == 0)
                return 1;
    return 0;
}

int kumo_testsite_render(const char *path, struct evbuffer *out)
{
    unsigned long page;

    if (strcmp(path, "/") == 0) {
        put_listing(out, NULL, "", 1);
        return 200;
    }
    if (strncmp(path, "/page/", 6) == 0) {
        page = page_number(path + 6);
        if (!page)
            return 404;
        put_listing(out, NULL, "", page);
        return 200;
    }
    if (strncmp(path, "/author/", 8) == 0) {
        const char *slug = path + 8;
        size_t n = strcspn(slug, "/");
        if (slug[n] == '/' && slug[n + 1])
            return 404;
        for (size_t i = 0; i < NAUTHORS; i++) {
            if (strlen(authors[i].slug) == n && memcmp(authors[i].slug, slug, n) == 0) {
                put_author(out, &authors[i]);
                return 200;
            }
        }
        return 404;
    }
    if (strncmp(path, "/tag/", 5) == 0) {
        const char *tag = path + 5;
        size_t n = strcspn(tag, "/");
        char name[32], prefix[48];
        if (n == 0 || n >= sizeof(name) || !known_tag(tag, n))
            return 404;
        memcpy(name, tag, n);
        name[n] = '\0';
        if (tag[n] == '\0' || strcmp(tag + n, "/") == 0)
            page = 1;
        else if (strncmp(tag + n, "/page/", 6) == 0)
            page = page_number(tag + n + 6);
        else
            page = 0;
        if (!page)
            return 404;
        snprintf(prefix, sizeof(prefix), "/tag/%s", name);
        put_listing(out, name, prefix, page);
        return 200;
    }
    return 404;
}
