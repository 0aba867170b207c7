/* mc_driver.c — main() and the descriptor checks of the memcheck drivers; see mc_driver.h. */
#include "mc_driver.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define MC_TOKEN_MAX 64

static int mc_leaked;

FILE *mc_input(const char *text)
{
    FILE *f = tmpfile();
    if (f == NULL || fputs(text, f) == EOF || fflush(f) == EOF) {
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    rewind(f);
    return f;
}

void mc_fds_now(struct mc_fds *s)
{
    memset(s, 0, sizeof *s);
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return;
    int self = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd == self || fd < 0 || fd >= 1024)
            continue;
        s->bits[fd / (8 * sizeof(unsigned long))] |= 1UL << (fd % (8 * sizeof(unsigned long)));
    }
    closedir(d);
}

void mc_fds_compare(const struct mc_fds *before, const char *call)
{
    struct mc_fds now;
    mc_fds_now(&now);
    for (int fd = 0; fd < 1024; fd++) {
        unsigned long bit = 1UL << (fd % (8 * sizeof(unsigned long)));
        size_t word = (size_t)fd / (8 * sizeof(unsigned long));
        if (!(now.bits[word] & bit) || (before->bits[word] & bit))
            continue;
        char link[64], target[PATH_MAX] = "?";
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        target[n > 0 ? n : 1] = '\0';
        printf("mc: descriptor %d (%s) left open by %s\n", fd, target, call);
        mc_leaked = 1;
    }
    fflush(stdout);
}

void mc_cannot_check(const char *what)
{
    printf("mc: could not check: %s\n", what);
    fflush(stdout);
    _exit(4);
}

static char mc_tag[32];

const char *mc_object_name(const char *what)
{
    static char names[4][96];
    static int next;
    char *name = names[next++ % 4];
    snprintf(name, sizeof names[0], "/shmlab-%s-%s", mc_tag, what);
    return name;
}

/* The grader's tag, letters and digits; the driver's pid without one. */
static void mc_set_tag(int argc, char *argv[])
{
    const char *alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if (argc > 1 && argv[1][0] != '\0' && strlen(argv[1]) < sizeof mc_tag &&
        strspn(argv[1], alnum) == strlen(argv[1]))
        snprintf(mc_tag, sizeof mc_tag, "%s", argv[1]);
    else
        snprintf(mc_tag, sizeof mc_tag, "%ld", (long)getpid());
}

int main(int argc, char *argv[])
{
    mc_set_tag(argc, argv);
    /* The token proves that this main() got to its end. It comes as the
     * first line of standard input, which is then /dev/null: no longer
     * anywhere the student's code can read it (an environment variable
     * stayed readable in /proc/self/environ, valgrind's copy of it). */
    /* Kept masked while the student's code runs: in the clear, it lay in
     * this frame as 16 hex digits, which code that read its own stack
     * through /proc/self/mem found and said itself (an attacker's review).
     * Masked, it is not one recognisable string; code that knows this
     * source can still unmask it: see the README's "What cannot be faked". */
    static unsigned char mask[MC_TOKEN_MAX];
    if (getrandom(mask, sizeof mask, 0) != (ssize_t)sizeof mask)
        mc_cannot_check("the driver's getrandom");
    char token[MC_TOKEN_MAX + 1] = "";
    size_t len = 0;
    char c;
    while (len < MC_TOKEN_MAX && read(STDIN_FILENO, &c, 1) == 1 && c != '\n') {
        token[len] = (char)(c ^ mask[len]);
        len++;
    }
    c = 0;
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null == -1 || dup2(null, STDIN_FILENO) == -1)
        mc_cannot_check("the driver could not replace its standard input");
    if (null != STDIN_FILENO)
        close(null);
    setvbuf(stdout, NULL, _IOLBF, 0);
    pid_t driver = getpid();
    mc_run();
    /* A child that returned from a lab function instead of ending with
     * _exit would end the run in place of the driver, whose parent then
     * only waits: its leaks, which valgrind counts in the first process
     * alone, would go unseen. */
    if (getpid() != driver)
        mc_cannot_check("a child process came back from a lab function and ran the rest of "
                        "the driver (it should end with _exit)");
    for (size_t i = 0; i < len; i++)
        token[i] = (char)(token[i] ^ mask[i]);
    token[len] = '\0';
    printf("mc: done %s\n", token);
    fflush(stdout);
    return mc_leaked ? 3 : 0;
}
