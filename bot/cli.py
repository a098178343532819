"""The command line: ``python -m bot [run|console|ask|validate|eval|...]``.

This is an edge: it turns library exceptions into one-line messages and exit codes.
Importing it (and the engine) never imports ``telegram``; only ``run`` does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from bot.answer import Answer, answer
from bot.config import ConfigError, Settings, load_settings
from bot.knowledge import KnowledgeBase, KnowledgeError, check_knowledge, load_knowledge
from bot.matcher import Index
from bot.render import render_explanation, render_text
from bot.snapshot import load_index

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """A command cannot go on; the message is shown to the person as one line."""


def _arg_text(text: str) -> str:
    """Command-line text as valid Unicode, whatever bytes the shell passed."""
    return os.fsencode(text).decode("utf-8", "replace")


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "knowledge", None):
        settings = replace(settings, knowledge_dir=Path(args.knowledge))
    return settings


def _load(settings: Settings) -> Index:
    """The validated knowledge base's index (cached between runs; see bot.snapshot)."""
    try:
        return load_index(settings.knowledge_dir)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise CommandError(f"the knowledge base in {settings.knowledge_dir} has errors; "
                           "fix them (python -m bot validate) and try again") from None


def answer_json(result: Answer) -> dict:
    """The JSON object ``ask --json`` prints for one answer."""
    return {
        "question": result.question,
        "answered": result.answered,
        "answer": result.text,
        "citations": [{"article": c.article, "paragraph": c.paragraph, "text": c.text}
                      for c in result.citations],
        "score": round(result.score, 4),
        "entry": result.entry,
        "suggestions": [{"entry": s.entry, "question": s.question} for s in result.suggestions],
        "language": result.language,
        "source": result.source,
    }


def cmd_ask(args: argparse.Namespace) -> int:
    index = _load(_settings(args))
    kb = index.kb
    if args.question == ["-"]:
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
        questions = (line.rstrip("\n") for line in sys.stdin)
    else:
        questions = iter([_arg_text(" ".join(args.question))])
    for question in questions:
        result = answer(question, index)
        if args.json:
            payload = answer_json(result)
            if args.explain:
                payload["explanation"] = render_explanation(result)
            print(json.dumps(payload, ensure_ascii=False), flush=True)
        else:
            print(render_text(result, kb))
            if args.explain:
                print()
                print(render_explanation(result))
    return EXIT_OK


def cmd_console(args: argparse.Namespace) -> int:
    settings = _settings(args)
    index = _load(settings)
    kb = index.kb
    titles = "; ".join(f"“{a.title}” ({a.source})" for a in kb.articles.values())
    print(f"Ask me about {titles}.")
    print("Type a question and press Enter; 'why' explains the last answer; Ctrl-D or 'quit' "
          "ends.")
    store = None
    if settings.record_console:
        from bot.store import Store

        store = Store.open(settings)
    try:
        return _chat(kb, index, store)
    finally:
        if store is not None:
            store.close()


def _chat(kb: KnowledgeBase, index: Index, store) -> int:
    """The console loop: one question per line; recorded only when a store is given."""
    last: Answer | None = None
    while True:
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        line = line.strip()
        if line.lower() in {"quit", "exit", "/quit"}:
            return EXIT_OK
        if line.lower() in {"why", "/why"}:
            print(render_explanation(last) if last else "Ask a question first.")
            continue
        if not line:
            continue
        last = answer(line, index)
        if store is not None:
            store.record_answer(chat_type="console", chat_id=None, result=last)
        print(render_text(last, kb))
        print()


def cmd_validate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    problems = check_knowledge(settings.knowledge_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if errors:
        print(f"{errors} error(s), {warnings} warning(s) in {settings.knowledge_dir}",
              file=sys.stderr)
        return EXIT_FAIL
    kb = load_knowledge(settings.knowledge_dir)
    if args.answers:
        from bot.selfcheck import misrouted_wordings

        misrouted = misrouted_wordings(_load(settings))
        for item in misrouted:
            print(item.problem(), file=sys.stderr)
        warnings += len(misrouted)
    wordings = sum(len(e.questions) + len(e.questions_ru) for e in kb.entries)
    print(f"ok: {len(kb.articles)} article(s), {len(kb.entries)} entries, {wordings} wordings, "
          f"{len(kb.synonyms.groups)} synonym groups, {warnings} warning(s)")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluate import EvalFileError, figures, load_cases, plot_sweep, report, sweep

    index = _load(_settings(args))
    try:
        cases = load_cases([Path(p) for p in args.files])
    except EvalFileError as exc:
        raise CommandError(str(exc)) from None
    if args.split != "all":
        cases = [c for c in cases if c.split in (args.split, "dev")]
    from bot.evaluate import evaluate

    if args.fit:
        from bot.evaluate import fit_confidence

        tuning = [c for c in cases if c.split in ("tuning", "dev")]
        intercept, coefficients, n = fit_confidence(tuning, index)
        print(f"# fitted on {n} best matches from the tuning part and dev sets")
        print(f"INTERCEPT = {intercept:.3f}")
        print("COEFFICIENTS = {")
        print("".join(f'    "{k}": {v:.3f},\n' for k, v in coefficients.items()), end="")
        print("}")
        return EXIT_OK
    outcomes = evaluate(cases, index)
    print(report(outcomes, show_failures=not args.quiet))
    if args.failures:
        if any(c.split == "heldout" for c in cases):
            raise CommandError("--failures lists questions for curators to fix: give it "
                               "tuning data only (add --split tuning)")
        import yaml

        from bot.evaluate import failure_report

        items = failure_report(outcomes, index)
        Path(args.failures).write_text(
            yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=100), "utf-8")
        print(f"{len(items)} failure(s) written to {args.failures}")
    if args.plot:
        tuning = [c for c in cases if c.split in ("tuning", "dev")]
        rows = sweep(tuning, index, [x / 100 for x in range(30, 100, 3)])
        plot_sweep(rows, Path(args.plot), "Confidence cut-off: tuning part and dev set")
        for value, f in rows:
            print(f"  confidence {value:.2f}: accuracy {f.accuracy:6.1%}  "
                  f"wrong {f.wrong_rate:5.1%}  declined {f.declined_rate:5.1%}")
        print(f"plot written to {args.plot}")
    overall = figures(outcomes).accuracy
    if args.min_accuracy is not None and overall < args.min_accuracy:
        print(f"accuracy {overall:.1%} is below the floor {args.min_accuracy:.1%}",
              file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _log_rows(args: argparse.Namespace) -> list:
    from bot.store import DB_NAME, StoreError, read_rows

    data = Path(args.data) if args.data else _settings(args).data_dir
    try:
        return read_rows(data / DB_NAME, args.days)
    except StoreError as exc:
        raise CommandError(str(exc)) from None


def cmd_report(args: argparse.Namespace) -> int:
    from bot.report import ReportError, format_report, plot_report

    rows = _log_rows(args)
    print(format_report(rows, days=args.days))
    if args.plot:
        try:
            plot_report(rows, Path(args.plot))
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        print(f"plot written to {args.plot}")
    return EXIT_OK


def cmd_unanswered(args: argparse.Namespace) -> int:
    from bot.curation import export_yaml, format_clusters, unanswered_clusters

    rows = _log_rows(args)
    clusters = unanswered_clusters(rows, _load(_settings(args)))
    print(format_clusters(clusters))
    if args.export:
        try:
            export_yaml(clusters, Path(args.export))
        except OSError as exc:
            raise CommandError(f"cannot write {args.export}: {exc.strerror or exc}") from None
        print(f"draft written to {args.export}: check it, then paste into the knowledge base")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.token:
        raise CommandError("TELEGRAM_BOT_TOKEN is not set; put it in the environment or .env "
                           "(or run 'python -m bot console' to chat locally)")
    index = _load(settings)
    from bot.app import run

    run(settings, index, webhook=args.webhook or bool(settings.webhook_url))
    return EXIT_OK


def cmd_default(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.token:
        args.webhook = False
        return cmd_run(args)
    print("No TELEGRAM_BOT_TOKEN set: chatting here in the console. To go live on Telegram, "
          "put the token from @BotFather in TELEGRAM_BOT_TOKEN (or .env) and run this again.")
    return cmd_console(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a --knowledge before the command must survive the command's own default.
    common.add_argument("--knowledge", metavar="DIR", default=argparse.SUPPRESS,
                        help="knowledge directory (default: KNOWLEDGE_DIR or the bundled one)")
    parser = argparse.ArgumentParser(
        prog="python -m bot", parents=[common],
        description="Answer questions about a news story, citing the story's own words.")
    parser.set_defaults(func=cmd_default)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = sub.add_parser("run", parents=[common], help="run the Telegram bot")
    run.add_argument("--webhook", action="store_true",
                     help="serve a webhook on PORT instead of long polling")
    run.set_defaults(func=cmd_run)

    console = sub.add_parser("console", parents=[common], help="chat in the terminal")
    console.set_defaults(func=cmd_console)

    ask = sub.add_parser("ask", parents=[common], help="answer one question ('-': stdin lines)")
    ask.add_argument("question", nargs="+", help="the question, or '-' to read lines from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--explain", action="store_true", help="show how the answer was chosen")
    ask.set_defaults(func=cmd_ask)

    validate = sub.add_parser("validate", parents=[common], help="check the knowledge base")
    validate.add_argument("--answers", action="store_true",
                          help="also ask every wording and warn when it misses its own entry")
    validate.set_defaults(func=cmd_validate)

    ev = sub.add_parser("eval", parents=[common], help="score question sets")
    ev.add_argument("files", nargs="+", help="question sets (YAML)")
    ev.add_argument("--min-accuracy", type=float, metavar="X",
                    help="exit non-zero when overall accuracy is below X (0-1)")
    ev.add_argument("--split", choices=["all", "tuning", "heldout"], default="all",
                    help="only this part of tests/data/eval sets (default: all)")
    ev.add_argument("--plot", metavar="FILE.png",
                    help="draw the threshold sweep over the tuning part (needs matplotlib)")
    ev.add_argument("--quiet", action="store_true", help="do not list the failures")
    ev.add_argument("--failures", metavar="FILE.yaml",
                    help="write the failures as a curator's work list (tuning data only)")
    ev.add_argument("--fit", action="store_true",
                    help="fit the confidence model on the tuning part and print it")
    ev.set_defaults(func=cmd_eval)

    log = argparse.ArgumentParser(add_help=False)
    log.add_argument("--data", metavar="DIR", help="data directory (default: DATA_DIR or ./data)")
    log.add_argument("--days", type=int, default=30, metavar="N",
                     help="only the last N days (default: 30)")
    rep = sub.add_parser("report", parents=[common, log], help="figures from the question log")
    rep.add_argument("--plot", metavar="FILE.png",
                     help="draw volume and answer rate per day (needs matplotlib)")
    rep.set_defaults(func=cmd_report)

    una = sub.add_parser("unanswered", parents=[common, log],
                         help="group the questions the bot could not answer")
    una.add_argument("--export", metavar="FILE.yaml",
                     help="write a knowledge-base draft for a curator")
    una.set_defaults(func=cmd_unanswered)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m bot`` and ``talks-bot``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except BrokenPipeError:
        return EXIT_OK
    return EXIT_FAIL
