# shmlab — the one entry point. `make help` lists the targets.
#
# The public targets (all, grade, test, ...) first make sure the tools are
# installed (scripts/install-deps.sh), then run the real work in a sub-make,
# so that pkg-config is asked about Check and jansson only once they exist.

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

BUILD    := build
KIT      := $(BUILD)/kit
SELFTEST := $(BUILD)/selftest
# The student kit (make dist) is marked so: a folder a student names
# solutions/ made it the instructor's, whose make test failed to link. A
# copy without its dotfiles (a template uploaded through a web page) is
# told by the kit's own tests, which only the instructor's kit has.
KIT_KIND := $(if $(or $(wildcard .student-kit),$(if $(wildcard tests/kit/kt_main.c),,no-tests)),student,instructor)
SUB      ?= $(if $(filter instructor,$(KIT_KIND)),solutions,work)

KIT_LABS    := $(sort $(patsubst labs/%/rubric.json,%,$(wildcard labs/*/rubric.json)))
HIDDEN_LABS := $(sort $(patsubst labs/%/hidden/tests.c,%,$(wildcard labs/*/hidden/tests.c)))

# Evaluated when a recipe first needs them, after the dependencies are in
# place, and then kept: asked again for each of a hundred compiles, they
# cost six processes each.
once = $(eval $(1) := $(shell $(2)))$($(1))
CHECK_CFLAGS   = $(call once,CHECK_CFLAGS,pkg-config --cflags check)
CHECK_LIBS     = $(call once,CHECK_LIBS,pkg-config --libs check)
JANSSON_CFLAGS = $(call once,JANSSON_CFLAGS,pkg-config --cflags jansson)
JANSSON_LIBS   = $(call once,JANSSON_LIBS,pkg-config --libs jansson)
XML_CFLAGS     = $(call once,XML_CFLAGS,pkg-config --cflags libxml-2.0)
XML_LIBS       = $(call once,XML_LIBS,pkg-config --libs libxml-2.0)
GRADER_LIBS    = $(JANSSON_LIBS) $(XML_LIBS) -lcsv
CC_PATH        = $(call once,CC_PATH,command -v $(CC))
OBJCOPY_PATH   = $(call once,OBJCOPY_PATH,command -v objcopy)
# gold links the test programs faster (grader/src/sg_build.c), where there is one.
FAST_LD        = $(call once,FAST_LD,$(CC) -fuse-ld=gold -Xlinker --version >/dev/null 2>&1 && echo -fuse-ld=gold)

# The build compiles about a hundred files: one job per core unless the
# command line asked for something else (a -j of its own is in MAKEFLAGS).
JOBS = $(if $(findstring -j,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 1))

WARN     := -Wall -Wextra $(if $(filter true,$(CI)),-Werror)

# Quiet by default, as Linux and git build: "  CC      grader/src/sg_build.o".
# make V=1 shows every command in full.
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(2)';
endif
KFLAGS   := -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -g -MMD -MP
INCLUDES := -Igrader/common -Igrader/harness -Igrader/memcheck

COMMON_SRC  := $(wildcard grader/common/*.c)
HARNESS_SRC := $(wildcard grader/harness/*.c)
GRADER_SRC  := $(filter-out grader/src/shmgrade.c,$(wildcard grader/src/*.c))
ENTER_SRC   := $(wildcard grader/enter/*.c)

COMMON_OBJ  := $(COMMON_SRC:%.c=$(KIT)/obj/%.o)
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(KIT)/obj/%.o)
GRADER_OBJ  := $(GRADER_SRC:%.c=$(KIT)/obj/%.o)
ENTER_OBJ   := $(ENTER_SRC:%.c=$(KIT)/obj/%.o)

LAB_OUTPUTS := $(foreach l,$(KIT_LABS),$(KIT)/$(l)/libtests.a $(KIT)/$(l)/main.o $(KIT)/$(l)/memcheck.o) \
               $(foreach l,$(HIDDEN_LABS),$(KIT)/$(l)/hidden.o)

.PHONY: all grade grade-all test bench timings deps help clean build selftest-build run-selftest \
        dist gradescope autolab prairielearn memcheck handouts FORCE

help:
	@echo "shmlab targets:"
	@echo "  make              build the grader and the labs' tests"
ifeq ($(KIT_KIND),instructor)
	@echo "  make test         the kit's self-test (grader unit tests, solutions,"
	@echo "                    skeletons, known-wrong and hostile submissions, packages)"
	@echo "  make grade        grade SUB (default: solutions), hidden tests included"
	@echo "                    e.g. make grade SUB=path/to/submission"
	@echo "  make grade-all    grade every submission in DIR into OUT (default grades/):"
	@echo "                    reports, gradebook.csv, summary.txt, index.html (a page)"
	@echo "  make dist         dist/shmlab-student.tar.gz: the student kit, without"
	@echo "                    solutions or hidden tests"
	@echo "  make gradescope   dist/shmlab-gradescope.zip: Gradescope's autograder"
	@echo "  make autolab      dist/autolab/: autograde-Makefile, autograde.tar and the"
	@echo "                    grading image's Dockerfile"
	@echo "  make prairielearn dist/prairielearn/: the grading image's Dockerfile and kit,"
	@echo "                    and a question per lab"
	@echo "  (GitHub Classroom: platforms/github-classroom/classroom.yml)"
	@echo "  make memcheck     the memory check (valgrind) of SUB's labs"
	@echo "  make bench        print how long grading takes"
	@echo "  make timings      measure each test on the solutions (its time limit's basis)"
	@echo "  make deps         install what the kit needs (apt-get, as root)"
else
	@echo "  make test         build the grader and grade your files in work/ (LAB=02:"
	@echo "                    one lab; in a lab's folder, make test grades that lab)"
	@echo "  make grade        the same (SUB=folder grades another folder)"
	@echo "  make memcheck     the memory check: your labs under valgrind, a test worth"
	@echo "                    4 more points per lab where your course grades it"
	@echo "  make deps         install what the kit needs (apt-get, as root)"
endif
	@echo "  make handouts     the handouts as HTML pages, in build/handouts/"
	@echo "  make clean        remove build/"
	@echo "  make V=1 ...      show every command in full"
	@echo "Direct use: grader/shmgrade --help"

deps:
	@scripts/install-deps.sh $(KIT_KIND)

all: deps
	@$(MAKE) --no-print-directory $(JOBS) build

grade: deps
	@$(MAKE) --no-print-directory $(JOBS) build
	grader/shmgrade $(if $(HIDDEN_LABS),--hidden) $(if $(LAB),--lab "$(LAB)") "$(SUB)"

ifeq ($(KIT_KIND),instructor)
test: deps
	@$(MAKE) --no-print-directory $(JOBS) build selftest-build
	@$(MAKE) --no-print-directory run-selftest
else
# In the student kit, the test is the grading of the student's own files;
# then a word if a file of the kit's own was changed (check-kit-files.sh).
test: deps
	@$(MAKE) --no-print-directory $(JOBS) build
	@status=0; grader/shmgrade $(if $(LAB),--lab "$(LAB)") "$(SUB)" || status=$$?; \
	    scripts/check-kit-files.sh; exit $$status
endif

grade-all: deps
	@test -n "$(DIR)" || { echo "usage: make grade-all DIR=folder-of-submissions [OUT=folder]"; exit 2; }
	@$(MAKE) --no-print-directory $(JOBS) build
	grader/shmgrade --batch "$(DIR)" -o "$(or $(OUT),grades)" --hidden \
	    --format text --format json --format junit
	@echo "the class at a glance: $(abspath $(or $(OUT),grades))/index.html"

handouts: deps
	@scripts/install-deps.sh
	scripts/render-handouts.sh $(BUILD)/handouts
	@echo "open $(BUILD)/handouts/01-shared-buffer.html"

memcheck: deps
	@$(MAKE) --no-print-directory $(JOBS) build
	grader/shmgrade --memcheck --test memcheck $(if $(LAB),--lab "$(LAB)") "$(SUB)"

dist:
	scripts/make-dist.sh dist/shmlab-student.tar.gz

gradescope: deps
	scripts/make-package.sh gradescope dist

autolab: deps
	scripts/make-package.sh autolab dist/autolab

prairielearn: deps
	scripts/make-package.sh prairielearn dist/prairielearn

bench: deps
	@$(MAKE) --no-print-directory $(JOBS) build
	@scripts/bench.sh

# How long each test takes on the solutions: the evidence of its time limit.
timings: deps
	@$(MAKE) --no-print-directory $(JOBS) build
	scripts/measure-timings.sh

build: grader/shmgrade $(KIT)/libsg_harness.a $(KIT)/sg_enter $(KIT)/mc_driver.o $(LAB_OUTPUTS) \
       $(KIT)/internal-names.txt

# Every global name a test program defines besides the C library: the
# harness's, the labs' tests', the memory check's, Check's and subunit's.
# A student's file that refers to one of them is refused (sg_elf.c): it
# could reach the test's machinery (set_fork_status, error_jmp_buffer).
$(KIT)/internal-names.txt: $(KIT)/libsg_harness.a $(KIT)/mc_driver.o $(LAB_OUTPUTS)
	$(call say,GEN,$@){ nm -g --defined-only $^; \
	  for l in $$(pkg-config --libs-only-l check | sed 's/-l//g'); do \
	    a=$$($(CC) -print-file-name=lib$$l.a); [ -f "$$a" ] && nm -g --defined-only "$$a"; \
	    so=$$($(CC) -print-file-name=lib$$l.so); [ -f "$$so" ] && nm -D -g --defined-only "$$so"; \
	  done; } 2>/dev/null | awk 'NF >= 3 { print $$3 }' | sort -u > $@.tmp && mv $@.tmp $@

# ---- the grader and the harness ----

$(KIT)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(KFLAGS) $(INCLUDES) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(XML_CFLAGS) \
	    -DSG_CC='"$(CC_PATH)"' -DSG_OBJCOPY='"$(OBJCOPY_PATH)"' -DSG_FAST_LD='"$(FAST_LD)"' \
	    -DSG_CHECK_LIBS='"$(CHECK_LIBS)"' -c $< -o $@

# No unwind tables in the test programs' own code: student code that walks
# the stack with them (_Unwind_Backtrace, _Unwind_Find_FDE) found the test's
# frame and Check's, and left the test body as if it had returned, skipping
# its checks. Nothing in a test program unwinds (C, no exceptions); the
# memory check's programs keep theirs, for valgrind's stack traces.
NOUNWIND := -fno-asynchronous-unwind-tables -fno-unwind-tables
$(HARNESS_OBJ): KFLAGS += $(NOUNWIND)

$(KIT)/libsg_harness.a: $(HARNESS_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(KIT)/libsg_grader.a: $(GRADER_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $^

# -z now: every library call bound once at start, not again in each of the
# runners the grader forks per test (lazy binding in a fresh copy each time).
grader/shmgrade: $(KIT)/obj/grader/src/shmgrade.o $(KIT)/libsg_grader.a
	$(call say,LD,$@)$(CC) -Wl,-z,now -o $@ $^ $(GRADER_LIBS)

# The kit's version, shown on the class page (sg_html_class.c): the commit
# the kit was built from when it is a git checkout of its own, else
# "unknown". Rewritten only when it changes: one compile per commit.
$(KIT)/gen/sg_version.h: FORCE
	@mkdir -p $(@D)
	@v=unknown; \
	if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
	    v=$$(git describe --always --dirty 2>/dev/null || echo unknown); \
	fi; \
	line="#define SG_KIT_VERSION \"$$v\""; \
	[ "$$(cat $@ 2>/dev/null)" = "$$line" ] || echo "$$line" > $@
$(KIT)/obj/grader/src/sg_html_class.o: $(KIT)/gen/sg_version.h
$(KIT)/obj/grader/src/sg_html_class.o: INCLUDES += -I$(KIT)/gen
FORCE:

# main() of the labs' memcheck drivers (grader/memcheck/mc_driver.c).
$(KIT)/mc_driver.o: $(KIT)/obj/grader/memcheck/mc_driver.o
	$(Q)cp $< $@

# The first program inside every sandbox (grader/enter/sg_enter.c), static:
# it starts once per test, and the dynamic loader's work is a third of that.
$(KIT)/sg_enter: $(ENTER_OBJ)
	$(call say,LD,$@)$(CC) -static -o $@ $^

# ---- each lab's test objects: what the grader links a submission with ----

define LAB_RULES
$(KIT)/$(1)/obj/%.o: labs/$(1)/%.c
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)$$(CC) $$(KFLAGS) $$(INCLUDES) -Ilabs/$(1) $$(CHECK_CFLAGS) -c $$< -o $$@

# The tests' own code has no unwind tables (see NOUNWIND).
$(patsubst labs/$(1)/%.c,$(KIT)/$(1)/obj/%.o,$(filter-out labs/$(1)/main.c labs/$(1)/memcheck.c,$(wildcard labs/$(1)/*.c) $(wildcard labs/$(1)/hidden/*.c))): KFLAGS += $(NOUNWIND)

$(KIT)/$(1)/libtests.a: $(patsubst labs/$(1)/%.c,$(KIT)/$(1)/obj/%.o,$(filter-out labs/$(1)/main.c labs/$(1)/memcheck.c,$(wildcard labs/$(1)/*.c)))
	$$(call say,AR,$$@)rm -f $$@ && $$(AR) rcs $$@ $$^

$(KIT)/$(1)/main.o: $(KIT)/$(1)/obj/main.o
	$$(Q)cp $$< $$@

$(KIT)/$(1)/memcheck.o: $(KIT)/$(1)/obj/memcheck.o
	$$(Q)cp $$< $$@

$(KIT)/$(1)/hidden.o: $(KIT)/$(1)/obj/hidden/tests.o
	$$(Q)cp $$< $$@
endef
$(foreach l,$(KIT_LABS),$(eval $(call LAB_RULES,$(l))))

# ---- the kit's self-test ----

UNIT_SRC := $(wildcard grader/tests/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(KIT)/obj/%.o)

selftest-build: build $(SELFTEST)/unit_tests $(SELFTEST)/kit_tests

$(KIT)/obj/grader/tests/%.o: INCLUDES += -Igrader/src -Igrader/enter
KIT_TEST_SRC := $(wildcard tests/kit/*.c)
KIT_TEST_OBJ := $(KIT_TEST_SRC:%.c=$(KIT)/obj/%.o)
$(KIT)/obj/tests/%.o: INCLUDES += -Igrader/src -Itests/kit $(XML_CFLAGS)

# The watch of a sandbox (grader/enter/sg_watch.c) is tested on its own too.
$(SELFTEST)/unit_tests: $(UNIT_OBJ) $(KIT)/libsg_grader.a $(KIT)/obj/grader/enter/sg_watch.o
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) -o $@ $^ $(CHECK_LIBS) $(GRADER_LIBS)

# Check's clock is the kit's choice (kt_main.c).
$(SELFTEST)/kit_tests: $(KIT_TEST_OBJ) $(KIT)/libsg_grader.a
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) -o $@ $^ -Wl,--wrap=check_get_clockid $(CHECK_LIBS) $(GRADER_LIBS)

run-selftest:
	$(SELFTEST)/unit_tests
	$(SELFTEST)/kit_tests

clean:
	rm -rf $(BUILD) grader/shmgrade

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
