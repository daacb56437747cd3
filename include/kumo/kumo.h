/* kumo/kumo.h - everything a spider plugin includes. */
#ifndef KUMO_KUMO_H
#define KUMO_KUMO_H

#include "kumo/err.h"
#include "kumo/alloc.h"
#include "kumo/ref.h"
#include "kumo/value.h"
#include "kumo/http.h"
#include "kumo/item.h"
#include "kumo/select.h"
#include "kumo/re.h"
#include "kumo/linkextractor.h"
#include "kumo/spider.h"
#include "kumo/plugin.h"

#define KUMO_VERSION "0.1.0"

#endif
