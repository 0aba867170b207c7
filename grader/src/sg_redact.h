/*
 * sg_redact.h — a grade as a student may see it where they see everything
 * the grader prints (Autolab's feedback, GitHub Classroom's Actions log,
 * PrairieLearn's results).
 *
 * The hidden tests exist so that a student cannot tune their code to them:
 * their names, what they observed, their hints and what the code printed
 * during them would give them away. In a redacted grade each lab keeps its
 * public tests; its hidden tests are only counted (how many, how many
 * passed, their points), in hidden_count and the fields after it. Scores
 * and states are unchanged.
 */
#ifndef SG_REDACT_H
#define SG_REDACT_H

#include "sg_results.h"

/*
 * Fills r with a view of g without its hidden tests. r shares g's strings
 * (free it with sg_grade_redact_free, before g). 0, or -1 with errno.
 */
int sg_grade_redact(const struct sg_grade *g, struct sg_grade *r);
void sg_grade_redact_free(struct sg_grade *r);

#endif
