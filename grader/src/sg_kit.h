/*
 * sg_kit.h — where the kit is: the grader lives in <kit>/grader/shmgrade,
 * the labs in <kit>/labs, the harness and test objects `make` built in
 * <kit>/build/kit. Found from /proc/self/exe, so an unpacked kit works
 * wherever it is.
 */
#ifndef SG_KIT_H
#define SG_KIT_H

#include "sg_text.h"

struct sg_kit {
    char *root;
    char *labs;      /* <root>/labs */
    char *objects;   /* <root>/build/kit */
};

int sg_kit_locate(struct sg_kit *k, struct sg_buf *err);
/* The kit rooted at root (the kit's own tests use this). */
int sg_kit_at(struct sg_kit *k, const char *root, struct sg_buf *err);
void sg_kit_free(struct sg_kit *k);

/* The environment every command the grader runs sees; home is its scratch folder. */
struct sg_env {
    char *vars[8];
};
void sg_env_init(struct sg_env *e, const char *home);
/* Adds one "NAME=value" (copied); at most two beyond the fixed ones. */
void sg_env_add(struct sg_env *e, const char *var);
void sg_env_free(struct sg_env *e);

#endif
