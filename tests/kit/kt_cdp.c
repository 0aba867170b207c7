/*
 * kt_cdp.c — a headless Chromium driven through the DevTools protocol
 * over --remote-debugging-pipe (fd 3 in, fd 4 out, each message JSON
 * ending with a NUL), for the kit's check of its pages in a real browser:
 * no Node, no Python, no port. Only what the check needs: open a page at
 * a size and colour scheme, run a probe in it, screenshot it whole, and
 * collect what went wrong (console errors, exceptions, failed loads, any
 * load outside the page, a dialog).
 */
#include "kt.h"

#include <poll.h>
#include <signal.h>

struct kt_browser {
    pid_t pid;
    int to, from;     /* our ends of the pipes */
    int next_id;
    struct sg_buf in; /* bytes read, not yet a whole message */
    json_t *events;   /* every event seen, in order */
    char *log;        /* Chromium's stderr */
};

static void kt_why(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void kt_why(char **why, const char *fmt, ...)
{
    struct sg_buf b = SG_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(*why);
    *why = sg_buf_take(&b);
}

struct kt_browser *kt_browser_start(const char *chromium, const char *dir, char **why)
{
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) == -1 || pipe2(from, O_CLOEXEC) == -1) {
        kt_why(why, "pipe2: %s", strerror(errno));
        return NULL;
    }
    struct kt_browser *b = calloc(1, sizeof *b);
    char *profile = kt_path(dir, "profile");
    char *user_dir = NULL;
    struct sg_buf arg = SG_BUF_INIT;
    sg_buf_printf(&arg, "--user-data-dir=%s", profile);
    user_dir = sg_buf_take(&arg);
    b->log = kt_path(dir, "chromium.log");
    b->events = json_array();
    fflush(NULL);
    b->pid = fork();
    if (b->pid == -1) {
        kt_why(why, "fork: %s", strerror(errno));
        json_decref(b->events);
        free(b->log);
        free(b);
        b = NULL;
    } else if (b->pid == 0) {
        /* fds 3 and 4 as Chromium expects them, its noise to a log. The
         * pipes are moved out of the way first: dup2 onto the same number
         * would keep close-on-exec. */
        int log = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int in = fcntl(to[0], F_DUPFD_CLOEXEC, 10), out = fcntl(from[1], F_DUPFD_CLOEXEC, 10);
        if (log == -1 || null == -1 || in == -1 || out == -1 || dup2(null, 0) == -1 ||
            dup2(log, 1) == -1 || dup2(log, 2) == -1 || dup2(in, 3) == -1 || dup2(out, 4) == -1)
            _exit(126);
        setpgid(0, 0);
        execl(chromium, chromium, "--headless", "--no-sandbox", "--disable-gpu",
              "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-extensions",
              "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe", user_dir,
              "about:blank", (char *)NULL);
        _exit(127);
    } else {
        b->to = to[1];
        b->from = from[0];
    }
    close(to[0]);
    close(from[1]);
    if (b == NULL) {
        close(to[1]);
        close(from[0]);
    }
    free(profile);
    free(user_dir);
    return b;
}

void kt_browser_stop(struct kt_browser *b)
{
    if (b == NULL)
        return;
    close(b->to);
    close(b->from);
    /* Closing the pipe ends it; its helpers share its process group. */
    int status;
    for (int i = 0; i < 50 && waitpid(b->pid, &status, WNOHANG) == 0; i++)
        usleep(100 * 1000);
    if (waitpid(b->pid, &status, WNOHANG) == 0) {
        kill(-b->pid, SIGKILL);
        waitpid(b->pid, &status, 0);
    }
    kill(-b->pid, SIGKILL);
    sg_buf_free(&b->in);
    json_decref(b->events);
    free(b->log);
    free(b);
}

/* The last lines Chromium wrote, for messages. */
char *kt_browser_log(const struct kt_browser *b)
{
    size_t len = 0;
    char *text = access(b->log, R_OK) == 0 ? kt_read(b->log, &len) : strdup("");
    if (len > 1200) {
        char *tail = strdup(text + len - 1200);
        free(text);
        text = tail;
    }
    return text;
}

static int kt_send(struct kt_browser *b, json_t *msg, char **why)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    if (text == NULL) {
        kt_why(why, "json_dumps failed");
        return -1;
    }
    size_t len = strlen(text) + 1; /* the NUL ends the message */
    for (size_t done = 0; done < len;) {
        ssize_t w = write(b->to, text + done, len - done);
        if (w == -1 && errno == EINTR)
            continue;
        if (w <= 0) {
            kt_why(why, "writing to Chromium: %s", strerror(errno));
            free(text);
            return -1;
        }
        done += (size_t)w;
    }
    free(text);
    return 0;
}

/* The next message, waiting until deadline (CLOCK_MONOTONIC seconds); NULL with *why. */
static json_t *kt_receive(struct kt_browser *b, double deadline, char **why)
{
    for (;;) {
        char *end = b->in.len ? memchr(b->in.data, '\0', b->in.len) : NULL;
        if (end != NULL) {
            size_t n = (size_t)(end - b->in.data);
            json_error_t jerr;
            json_t *msg = json_loadb(b->in.data, n, 0, &jerr);
            memmove(b->in.data, end + 1, b->in.len - n - 1);
            b->in.len -= n + 1;
            if (msg == NULL)
                kt_why(why, "a message from Chromium does not parse: %s", jerr.text);
            return msg;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left = deadline - ((double)now.tv_sec + (double)now.tv_nsec / 1e9);
        if (left <= 0) {
            kt_why(why, "Chromium did not answer in time");
            return NULL;
        }
        struct pollfd p = { b->from, POLLIN, 0 };
        int rc = poll(&p, 1, (int)(left * 1000) + 1);
        if (rc == -1 && errno == EINTR)
            continue;
        if (rc == -1) {
            kt_why(why, "poll: %s", strerror(errno));
            return NULL;
        }
        if (rc == 0)
            continue;
        char chunk[65536];
        ssize_t r = read(b->from, chunk, sizeof chunk);
        if (r == -1 && errno == EINTR)
            continue;
        if (r <= 0) {
            kt_why(why, "Chromium closed the pipe (it ended?)");
            return NULL;
        }
        sg_buf_append(&b->in, chunk, (size_t)r);
    }
}

static double kt_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Calls method (in session, unless NULL) and returns its result; events meanwhile are kept. */
json_t *kt_cdp_call(struct kt_browser *b, const char *session, const char *method,
                    json_t *params, char **why)
{
    int id = ++b->next_id;
    json_t *msg = json_pack("{s:i, s:s, s:o}", "id", id, "method", method, "params",
                            params ? params : json_object());
    if (session != NULL)
        json_object_set_new(msg, "sessionId", json_string(session));
    int rc = kt_send(b, msg, why);
    json_decref(msg);
    if (rc == -1)
        return NULL;
    double deadline = kt_now() + 60;
    for (;;) {
        json_t *in = kt_receive(b, deadline, why);
        if (in == NULL)
            return NULL;
        if (json_integer_value(json_object_get(in, "id")) != id) {
            if (json_object_get(in, "method") != NULL)
                json_array_append(b->events, in);
            json_decref(in);
            continue;
        }
        json_t *error = json_object_get(in, "error");
        if (error != NULL) {
            kt_why(why, "%s: %s", method,
                   json_string_value(json_object_get(error, "message")) ?: "error");
            json_decref(in);
            return NULL;
        }
        json_t *result = json_incref(json_object_get(in, "result"));
        json_decref(in);
        return result;
    }
}

/* Waits for an event of the session (seen already or to come); 0, or -1 with *why. */
static int kt_cdp_wait(struct kt_browser *b, const char *session, const char *method,
                       size_t from, char **why)
{
    double deadline = kt_now() + 60;
    for (size_t i = from;;) {
        for (; i < json_array_size(b->events); i++) {
            json_t *e = json_array_get(b->events, i);
            const char *m = json_string_value(json_object_get(e, "method"));
            const char *s = json_string_value(json_object_get(e, "sessionId"));
            if (m && strcmp(m, method) == 0 && s && strcmp(s, session) == 0)
                return 0;
        }
        json_t *in = kt_receive(b, deadline, why);
        if (in == NULL)
            return -1;
        if (json_object_get(in, "method") != NULL)
            json_array_append(b->events, in);
        json_decref(in);
    }
}

/* Standard base64 (RFC 4648) to bytes; -1 on a byte that is not base64. */
static int kt_base64(const char *in, struct sg_buf *out)
{
    unsigned acc = 0;
    int bits = 0;
    for (const char *p = in; *p != '\0' && *p != '='; p++) {
        const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *at = strchr(alphabet, *p);
        if (at == NULL)
            return -1;
        acc = (acc << 6) | (unsigned)(at - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char byte = (char)((acc >> bits) & 0xff);
            sg_buf_append(out, &byte, 1);
        }
    }
    return 0;
}

/* What went wrong while the page of session loaded, from the events since from; "" when nothing. */
static char *kt_cdp_errors(struct kt_browser *b, const char *session, const char *url,
                           size_t from)
{
    struct sg_buf e = SG_BUF_INIT;
    sg_buf_puts(&e, "");
    size_t base = strcspn(url, "#");
    for (size_t i = from; i < json_array_size(b->events); i++) {
        json_t *ev = json_array_get(b->events, i);
        const char *m = json_string_value(json_object_get(ev, "method"));
        const char *s = json_string_value(json_object_get(ev, "sessionId"));
        json_t *p = json_object_get(ev, "params");
        if (m == NULL || s == NULL || strcmp(s, session) != 0)
            continue;
        if (strcmp(m, "Runtime.exceptionThrown") == 0) {
            sg_buf_printf(&e, "an exception: %s\n",
                          json_string_value(json_object_get(
                              json_object_get(p, "exceptionDetails"), "text")) ?: "?");
        } else if (strcmp(m, "Runtime.consoleAPICalled") == 0) {
            const char *type = json_string_value(json_object_get(p, "type"));
            if (type && (strcmp(type, "error") == 0 || strcmp(type, "assert") == 0))
                sg_buf_printf(&e, "console.%s\n", type);
        } else if (strcmp(m, "Log.entryAdded") == 0) {
            json_t *entry = json_object_get(p, "entry");
            const char *level = json_string_value(json_object_get(entry, "level"));
            if (level && strcmp(level, "error") == 0)
                sg_buf_printf(&e, "logged: %s %s\n",
                              json_string_value(json_object_get(entry, "text")) ?: "",
                              json_string_value(json_object_get(entry, "url")) ?: "");
        } else if (strcmp(m, "Network.loadingFailed") == 0) {
            sg_buf_printf(&e, "a load failed: %s\n",
                          json_string_value(json_object_get(p, "errorText")) ?: "?");
        } else if (strcmp(m, "Network.requestWillBeSent") == 0) {
            const char *u = json_string_value(json_object_get(json_object_get(p, "request"),
                                                              "url"));
            /* Self-contained: nothing but the page itself is ever loaded. */
            if (u == NULL || strncmp(u, url, base) != 0 || (u[base] != '\0' && u[base] != '#'))
                sg_buf_printf(&e, "a load outside the page: %s\n", u ? u : "?");
        } else if (strcmp(m, "Page.javascriptDialogOpening") == 0) {
            sg_buf_printf(&e, "a dialog opened (a script ran): %s\n",
                          json_string_value(json_object_get(p, "message")) ?: "");
        }
    }
    return sg_buf_take(&e);
}

int kt_browser_check(struct kt_browser *b, const char *url, int width, bool dark,
                     const char *probe, const char *png, json_t **facts, char **errors,
                     char **why)
{
    *facts = NULL;
    *errors = NULL;
    json_t *r = kt_cdp_call(b, NULL, "Target.createTarget",
                            json_pack("{s:s}", "url", "about:blank"), why);
    if (r == NULL)
        return -1;
    char *target = strdup(json_string_value(json_object_get(r, "targetId")) ?: "");
    json_decref(r);
    r = kt_cdp_call(b, NULL, "Target.attachToTarget",
                    json_pack("{s:s, s:b}", "targetId", target, "flatten", 1), why);
    char *session = r ? strdup(json_string_value(json_object_get(r, "sessionId")) ?: "") : NULL;
    json_decref(r);
    int rc = -1;
    size_t from = json_array_size(b->events);
    const char *enable[] = { "Page.enable", "Runtime.enable", "Log.enable", "Network.enable" };
    for (size_t i = 0; session != NULL && i < 4; i++) {
        json_t *ok = kt_cdp_call(b, session, enable[i], NULL, why);
        if (ok == NULL)
            goto out;
        json_decref(ok);
    }
    if (session == NULL)
        goto out;
    /* A phone is a narrow, touch, mobile viewport; the height matters little. */
    json_t *ok = kt_cdp_call(b, session, "Emulation.setDeviceMetricsOverride",
                             json_pack("{s:i, s:i, s:i, s:b}", "width", width, "height",
                                       width < 700 ? 844 : 900, "deviceScaleFactor", 1,
                                       "mobile", width < 700),
                             why);
    if (ok == NULL)
        goto out;
    json_decref(ok);
    ok = kt_cdp_call(b, session, "Emulation.setEmulatedMedia",
                     json_pack("{s:[{s:s, s:s}]}", "features", "name", "prefers-color-scheme",
                               "value", dark ? "dark" : "light"),
                     why);
    if (ok == NULL)
        goto out;
    json_decref(ok);
    size_t loading = json_array_size(b->events);
    json_t *nav = kt_cdp_call(b, session, "Page.navigate", json_pack("{s:s}", "url", url), why);
    if (nav == NULL)
        goto out;
    const char *failed = json_string_value(json_object_get(nav, "errorText"));
    if (failed != NULL) {
        kt_why(why, "Page.navigate: %s", failed);
        json_decref(nav);
        goto out;
    }
    json_decref(nav);
    if (kt_cdp_wait(b, session, "Page.loadEventFired", loading, why) == -1)
        goto out;
    json_t *value = kt_cdp_call(b, session, "Runtime.evaluate",
                                json_pack("{s:s, s:b}", "expression", probe, "returnByValue", 1),
                                why);
    if (value == NULL)
        goto out;
    if (json_object_get(value, "exceptionDetails") != NULL) {
        kt_why(why, "the probe failed: %s",
               json_string_value(json_object_get(json_object_get(value, "exceptionDetails"),
                                                 "text")) ?: "?");
        json_decref(value);
        goto out;
    }
    *facts = json_incref(json_object_get(json_object_get(value, "result"), "value"));
    json_decref(value);
    /* The whole page, not the window: its height from the layout. */
    json_t *metrics = kt_cdp_call(b, session, "Page.getLayoutMetrics", NULL, why);
    if (metrics == NULL)
        goto out;
    double height = json_number_value(
        json_object_get(json_object_get(metrics, "cssContentSize"), "height"));
    json_decref(metrics);
    if (height > 16000)
        height = 16000;
    json_t *shot = kt_cdp_call(b, session, "Page.captureScreenshot",
                               json_pack("{s:s, s:b, s:{s:i, s:i, s:i, s:f, s:i}}", "format",
                                         "png", "captureBeyondViewport", 1, "clip", "x", 0, "y",
                                         0, "width", width, "height", height, "scale", 1),
                               why);
    if (shot == NULL)
        goto out;
    struct sg_buf bytes = SG_BUF_INIT;
    const char *data = json_string_value(json_object_get(shot, "data"));
    if (data == NULL || kt_base64(data, &bytes) == -1 || bytes.len < 8) {
        kt_why(why, "Page.captureScreenshot: no PNG in the answer");
    } else {
        FILE *f = fopen(png, "we");
        if (f == NULL || fwrite(bytes.data, 1, bytes.len, f) != bytes.len || fclose(f) != 0)
            kt_why(why, "%s: %s", png, strerror(errno));
        else
            rc = 0;
    }
    sg_buf_free(&bytes);
    json_decref(shot);
out:
    if (session != NULL)
        *errors = kt_cdp_errors(b, session, url, from);
    char *ignored = NULL; /* closing is tidying up: the check's outcome stands */
    json_decref(kt_cdp_call(b, NULL, "Target.closeTarget",
                            json_pack("{s:s}", "targetId", target), &ignored));
    free(ignored);
    free(session);
    free(target);
    return rc;
}
