#!/usr/bin/env bash
# render-handouts.sh OUTDIR — each handouts/NN-name.md as OUTDIR/NN-name.html.
#
# cmark-gfm (GitHub's CommonMark implementation, a Debian package) renders
# the Markdown, with tables. The handouts are the kit's own text, so their
# raw HTML is passed through: the <a id="..."></a> anchors that the
# reports' "read:" lines and the rubrics' sections point at. The page's
# title comes from the file name, which holds nothing that needs escaping.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
mkdir -p "$out"
for md in handouts/[0-9][0-9]-*.md; do
    name=$(basename "$md" .md)
    case $name in *[!a-z0-9-]*) echo "skipping $md: unexpected name" >&2; continue ;; esac
    {
        cat <<HEAD
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shmlab: lab $name</title>
<style>
  body { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.55;
         font-family: system-ui, sans-serif; color: #1d1d1f; }
  pre { background: #f4f4f6; padding: .8rem 1rem; overflow-x: auto; border-radius: 6px; }
  code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .92em; }
  table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; }
  h1, h2 { line-height: 1.25; }
</style>
</head>
<body>
HEAD
        cmark-gfm --smart --unsafe --extension table --extension autolink "$md"
        printf '</body>\n</html>\n'
    } > "$out/$name.html"
done
