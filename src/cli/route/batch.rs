//! `caio route --batch`: JSON Lines in, JSON Lines out.

use super::*;

/// The error object of a batch line that could not be routed.
#[derive(Serialize)]
struct LineError {
    line: usize,
    error: LineProblem,
}

#[derive(Serialize)]
struct LineProblem {
    code: String,
    message: String,
    column: Option<usize>,
    help: Option<String>,
}

/// Records of a batch are appended at most this many at a time, one
/// transaction each.
const BATCH_CHUNK: usize = 256;

/// A chunk is also flushed once its decisions hold this many candidate
/// evaluations: what a pending decision holds grows with the registry, so
/// memory stays bounded whatever the number of lines and of candidates.
const CHUNK_CANDIDATES: usize = 20_000;

/// The candidate evaluations a pending line holds.
fn weight(line: &LineOutcome) -> usize {
    match line {
        LineOutcome::Invalid(_) => 1,
        LineOutcome::Routed(routed) => routed
            .2
            .decision
            .steps
            .iter()
            .map(|s| s.candidates.len())
            .sum::<usize>()
            .max(1),
    }
}

/// One line of a batch, once handled.
enum LineOutcome {
    Invalid(LineError),
    Routed(Box<(usize, Request, Routed)>),
}

/// The error object of a line that is not a request at all.
fn line_error(line: usize, code: &str, message: String, help: &str) -> LineOutcome {
    LineOutcome::Invalid(LineError {
        line,
        error: LineProblem {
            code: code.to_string(),
            message,
            column: None,
            help: Some(help.to_string()),
        },
    })
}

/// Routes a JSON Lines stream, reading it line by line (so memory stays
/// bounded and output follows input): each line is capped like a single
/// request; a line that is too long, not UTF-8 or not a valid request gives
/// an error line and the batch goes on.
pub(super) fn batch(args: &RouteArgs, router: &mut Router, ui: &mut Ui) -> Result<Exit, Error> {
    let outside = outside_token(args)?;
    let (mut input, size) = open_batch(&args.request)?;
    let bar = ui.progress_bytes(size, "routing");
    let limit = caio_core::yaml::MAX_FILE_BYTES;
    let (mut failed, mut lines) = (0usize, 0usize);
    let mut pending: Vec<LineOutcome> = Vec::new();
    let mut buf = Vec::new();
    for n in 1.. {
        // Answers go out when a chunk is full (by lines or by the candidates
        // its decisions hold), and before a read that may wait: a client
        // that waits for each answer before it writes the next line is
        // answered at once.
        if pending.len() >= BATCH_CHUNK
            || pending.iter().map(weight).sum::<usize>() >= CHUNK_CANDIDATES
            || (!pending.is_empty() && input.buffer().is_empty())
        {
            flush(args, router, &mut pending, ui)?;
        }
        buf.clear();
        let read =
            read_line(&mut input, &mut buf, limit).map_err(|e| Error::RequestUnreadable {
                path: label(&args.request),
                reason: e.to_string(),
            })?;
        let Some((bytes, complete)) = read else {
            break;
        };
        bar.inc(bytes);
        if !complete {
            lines += 1;
            failed += 1;
            pending.push(line_error(
                n,
                "request::too-large",
                format!("the line is larger than the {} MiB limit", limit >> 20),
                "a request is at most 1 MiB; send large payloads with --payload",
            ));
            continue;
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            lines += 1;
            failed += 1;
            pending.push(line_error(
                n,
                "request::not-utf8",
                "the line is not UTF-8 text".into(),
                "write requests as UTF-8 JSON",
            ));
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        let label = format!("{}:{n}", label(&args.request));
        match request::parse(&label, line) {
            Err(report) => {
                failed += 1;
                let problem = report.problems.first();
                let column = problem.map(|p| report.position(p).1);
                pending.push(LineOutcome::Invalid(LineError {
                    line: n,
                    error: LineProblem {
                        code: problem.map_or_else(|| "request::invalid".into(), |p| p.code.clone()),
                        message: problem.map_or_else(String::new, |p| p.message.clone()),
                        column,
                        help: problem.and_then(|p| p.help.clone()),
                    },
                }));
            }
            Ok(mut request) => {
                if let Some(seed) = args.seed {
                    request.seed = seed;
                }
                if let Err(e) = apply_token(&mut request, &outside) {
                    failed += 1;
                    pending.push(line_error(
                        n,
                        "caio::token_conflict",
                        e.to_string(),
                        "give the token one way: the line's auth.token, --token-file or CAIO_TOKEN",
                    ));
                    continue;
                }
                let routed = router.route(&request)?;
                if routed.decision.outcome == Outcome::Refused {
                    failed += 1;
                }
                pending.push(LineOutcome::Routed(Box::new((n, request, routed))));
            }
        }
    }
    flush(args, router, &mut pending, ui)?;
    bar.finish_and_clear();
    if failed > 0 {
        ui.warn(format_args!(
            "{failed} of {} not routed (invalid or refused)",
            crate::ui::count(lines, "line was", "lines were")
        ));
        return Ok(Exit::Invalid);
    }
    Ok(Exit::Success)
}

/// Reads one line (without its `\n` or `\r\n`) into `buf`, at most `limit`
/// bytes of it: `None` at the end of the input, else the bytes consumed
/// and whether the line fit (the rest of a longer line is skipped).
pub(crate) fn read_line(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<Option<(u64, bool)>> {
    // Room for the limit and a `\r\n`.
    let read = input.take(limit + 2).read_until(b'\n', buf)? as u64;
    if read == 0 {
        return Ok(None);
    }
    let ended = buf.last() == Some(&b'\n');
    if ended {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if buf.len() as u64 <= limit || ended {
        return Ok(Some((read, buf.len() as u64 <= limit)));
    }
    // Too long: skip to the end of the line without keeping it.
    let mut skipped = read;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            break;
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                skipped += i as u64 + 1;
                break;
            }
            None => {
                let len = available.len();
                input.consume(len);
                skipped += len as u64;
            }
        }
    }
    Ok(Some((skipped, false)))
}

/// Traces the pending decisions in one transaction and prints every pending
/// line, in input order.
fn flush(
    args: &RouteArgs,
    router: &mut Router,
    pending: &mut Vec<LineOutcome>,
    ui: &mut Ui,
) -> Result<(), Error> {
    let routed: Vec<(&Request, &Routed)> = pending
        .iter()
        .filter_map(|o| match o {
            LineOutcome::Routed(b) => Some((&b.1, &b.2)),
            LineOutcome::Invalid(_) => None,
        })
        .collect();
    let mut traced =
        trace(router, &routed, args.dry_run, None, jiff::Timestamp::now())?.into_iter();
    let listed = args.explain || args.top.is_some();
    for outcome in pending.drain(..) {
        match outcome {
            LineOutcome::Invalid(e) => ui.json_line(Schema::RouteBatchLine, &e)?,
            LineOutcome::Routed(b) => {
                let Some(t) = traced.next() else {
                    break;
                };
                let explained = match args.explain {
                    true => super::explained(true, router, &b.1, &b.2)?,
                    false => None,
                };
                let mut doc = RouteJson::new(&b.2, &t, args.top, listed);
                if let Some(e) = &explained {
                    doc.explain(&e.explanation);
                }
                doc.line = Some(b.0);
                ui.json_line(Schema::RouteBatchLine, &doc)?;
            }
        }
    }
    Ok(())
}

/// The batch input, buffered, and its size when it is a file (for the
/// progress bar). There is no cap on the whole stream, only per line.
/// The buffer is large so that a file fills many lines per read (answers
/// are flushed when it runs dry, and each flush is one transaction).
fn open_batch(path: &Path) -> Result<(BatchInput, Option<u64>), Error> {
    const BUFFER: usize = 1 << 20;
    if path.as_os_str() == "-" {
        let stdin: Box<dyn Read> = Box::new(std::io::stdin());
        return Ok((std::io::BufReader::with_capacity(BUFFER, stdin), None));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::RequestUnreadable {
        path: label(path),
        reason: e.to_string(),
    })?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let file: Box<dyn Read> = Box::new(file);
    Ok((std::io::BufReader::with_capacity(BUFFER, file), size))
}

type BatchInput = std::io::BufReader<Box<dyn Read>>;
