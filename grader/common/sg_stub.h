/*
 * sg_stub.h — how a test says that a lab function is still the skeleton's
 * stub. A test gives SG_NOT_WRITTEN(fn) as its hint only when the call
 * failed with ENOSYS, which the skeletons' stubs set; the report's digest
 * (grader/src/sg_digest.c) finds SG_NOT_WRITTEN_MARK in that hint and folds
 * the failure into the function's one TODO line, so that a fresh skeleton's
 * report fits a screen. One text for both, so they cannot drift apart.
 */
#ifndef SG_STUB_H
#define SG_STUB_H

#define SG_NOT_WRITTEN_MARK "sets: it is not written yet"
#define SG_NOT_WRITTEN(fn) "ENOSYS is what the skeleton's " fn " " SG_NOT_WRITTEN_MARK

#endif
