//! `caio route --batch`: JSON Lines in, JSON Lines out.

use super::*;
use caio_core::trace::Prepared;

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
/// transaction each. Small enough that what a pending chunk holds is a
/// small part of a batch's memory, so the peak does not depend on how many
/// lines the batch has; large enough that a commit is a few percent of a
/// chunk's time.
const BATCH_CHUNK: usize = 64;

/// A chunk is also flushed once its pending answers and records hold this
/// many bytes (answers listing every candidate, with --explain or --top,
/// grow with the registry), so memory stays bounded whatever the number of
/// lines and of candidates.
const CHUNK_BYTES: usize = 1 << 20;

/// What the batch's trace writer caches of the database, in KiB (half
/// SQLite's default): it only appends, and 1 MiB holds the pages it
/// touches within a chunk (256 KiB made it spill and re-read pages).
const WRITER_CACHE_KIB: u32 = 1024;

/// One line of a batch, once handled: what is left of a routed line until
/// its record is appended is its record in canonical form and its answer
/// without the trace fields (the decision itself is dropped at once), a few
/// KiB of text.
enum LineOutcome {
    Invalid(LineError),
    Routed {
        line: usize,
        /// The record, in canonical form.
        record: Prepared,
        /// The answer, serialised with an empty `decision_id` and no
        /// `trace` (see [`answer`]).
        answer: String,
    },
}

impl LineOutcome {
    /// The bytes a pending line holds, roughly.
    fn weight(&self) -> usize {
        match self {
            LineOutcome::Invalid(e) => e.error.message.len() + 64,
            LineOutcome::Routed { record, answer, .. } => record.body.len() + answer.len(),
        }
    }
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
pub(super) fn batch(
    args: &RouteArgs,
    global: &GlobalArgs,
    router: &mut Router,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    // Records go to the home's trace through a second connection, written
    // by a thread of their own while the next lines are routed; without a
    // home to write to (or with --dry-run), the ids they would get are
    // computed in line. The writer's checkpoints run on a thread of their
    // own too, so that its commits do not wait for the log to be synced.
    let writer = match router.store_mut() {
        Some(_) if !args.dry_run => {
            let mut store = open_store_existing(global)?;
            store.cap_page_cache(WRITER_CACHE_KIB)?;
            let checkpoints = store.checkpoint_in_background()?;
            Some((store, checkpoints))
        }
        _ => None,
    };
    let (writer, checkpoints) = writer.unzip();
    let exit = std::thread::scope(|scope| {
        let mut sink = match writer {
            Some(store) => Sink::writer(scope, store, router.take_inputs()),
            None => Sink::Inline,
        };
        let routed = route_lines(args, router, &mut sink, ui);
        // The chunks already sent are written (or their failure reported)
        // whatever happened since.
        let written = sink.finish(ui);
        let exit = routed?;
        written?;
        Ok(exit)
    });
    // The writer's store is closed: its checkpoint thread stops.
    if let Some(checkpoints) = checkpoints {
        checkpoints.finish();
    }
    exit
}

/// Routes every line of the batch, handing chunks of routed lines to
/// `sink`; the exit status once every line is handled.
fn route_lines(
    args: &RouteArgs,
    router: &mut Router,
    sink: &mut Sink<'_>,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let outside = outside_token(args)?;
    let (mut input, size) = open_batch(&args.request)?;
    let bar = ui.progress_bytes(size, "routing");
    let limit = caio_core::yaml::MAX_FILE_BYTES;
    let (mut failed, mut lines) = (0usize, 0usize);
    let mut pending: Vec<LineOutcome> = Vec::new();
    // The bytes the pending lines hold, and how many of them are counted
    // (at most one line is pushed per turn).
    let (mut held, mut counted) = (0usize, 0usize);
    let mut buf = Vec::new();
    let mut line_label = String::new();
    let source = label(&args.request);
    let listed = args.explain || args.top.is_some();
    // A line without its candidate list shows no candidate: its decision
    // lists only what its record keeps and counts the rest.
    if !listed {
        router.set_detail(Detail::Brief);
    }
    for n in 1.. {
        held +=
            pending.last().map_or(0, LineOutcome::weight) * usize::from(pending.len() > counted);
        counted = pending.len();
        // Answers go out when a chunk is full (by lines or by the bytes
        // its pending lines hold), and before a read that may wait: a
        // client that waits for each answer before it writes the next line
        // is answered at once (the writer has written every chunk sent).
        // A read from a pipe may wait for the client; one from a file
        // (whose size is known) does not.
        let waits = input.buffer().is_empty() && size.is_none();
        if pending.len() >= BATCH_CHUNK || held >= CHUNK_BYTES || (!pending.is_empty() && waits) {
            sink.send(args, router, &mut pending, ui)?;
            (held, counted) = (0, 0);
        }
        if waits {
            sink.wait(ui)?;
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
        line_label.clear();
        {
            use std::fmt::Write;
            let _ = write!(line_label, "{source}:{n}");
        }
        match request::parse(&line_label, line) {
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
                pending.push(routed_line(args, router, n, &request, &routed, listed)?);
            }
        }
    }
    sink.send(args, router, &mut pending, ui)?;
    sink.wait(ui)?;
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

/// A routed line, ready to wait for its record's place in the trace: the
/// record (timed now, in canonical form) and the answer without its trace
/// fields.
fn routed_line(
    args: &RouteArgs,
    router: &mut Router,
    line: usize,
    request: &Request,
    routed: &Routed,
    listed: bool,
) -> Result<LineOutcome, Error> {
    let record =
        crate::app::route::prepare(router, &[(request, routed)], None, jiff::Timestamp::now())?
            .pop()
            .ok_or_else(|| Error::Output(std::io::Error::other("a routed line has no record")))?;
    let explained = match args.explain {
        true => super::explained(true, router, request, routed)?,
        false => None,
    };
    let untraced = Traced {
        decision_id: String::new(),
        trace: None,
    };
    let mut doc = RouteJson::new(routed, &untraced, args.top, listed);
    if let Some(e) = &explained {
        doc.explain(&e.explanation);
    }
    let answer =
        serde_json::to_string(&doc).map_err(|e| Error::Output(std::io::Error::other(e)))?;
    Ok(LineOutcome::Routed {
        line,
        record,
        answer,
    })
}

/// How an answer without its trace fields starts: its `decision_id`, empty.
const UNTRACED: &str = "{\"decision_id\":\"\",";

/// The batch line of an answer serialised without its trace fields
/// ([`routed_line`]): the schema version, the line number, the decision id
/// and where the record went, then the rest of the answer as it was
/// serialised. The same text as serialising the whole document at once.
fn answer(schema: Schema, line: usize, traced: &Traced, answer: &str) -> Result<String, Error> {
    let rest = answer.strip_prefix(UNTRACED).ok_or_else(|| {
        Error::Output(std::io::Error::other(
            "a batch answer has an unexpected form",
        ))
    })?;
    let mut out = String::with_capacity(answer.len() + 160);
    out.push_str("{\"schema_version\":");
    out.push_str(&schema.version().to_string());
    out.push_str(",\"line\":");
    out.push_str(&line.to_string());
    out.push_str(",\"decision_id\":");
    out.push_str(
        &serde_json::to_string(&traced.decision_id)
            .map_err(|e| Error::Output(std::io::Error::other(e)))?,
    );
    out.push(',');
    if let Some(appended) = &traced.trace {
        out.push_str("\"trace\":");
        out.push_str(
            &serde_json::to_string(appended)
                .map_err(|e| Error::Output(std::io::Error::other(e)))?,
        );
        out.push(',');
    }
    out.push_str(rest);
    Ok(out)
}

/// A chunk of handled lines, in input order: the records of the routed
/// ones, to append in one transaction, and every line's answer (a routed
/// line's still without its trace fields).
struct Chunk {
    records: Vec<Prepared>,
    answers: Vec<Result<(usize, String), LineError>>,
}

impl Chunk {
    /// The pending lines, taken.
    fn take(pending: &mut Vec<LineOutcome>) -> Chunk {
        let mut records = Vec::with_capacity(pending.len());
        let mut answers = Vec::with_capacity(pending.len());
        for outcome in pending.drain(..) {
            match outcome {
                LineOutcome::Invalid(e) => answers.push(Err(e)),
                LineOutcome::Routed {
                    line,
                    record,
                    answer,
                    ..
                } => {
                    records.push(record);
                    answers.push(Ok((line, answer)));
                }
            }
        }
        Chunk { records, answers }
    }
}

/// The output of a chunk's `answers`: every line's answer, in input order,
/// given where the records went (`traced`, one per routed line).
fn render(
    answers: Vec<Result<(usize, String), LineError>>,
    traced: Vec<Traced>,
) -> Result<String, Error> {
    let mut traced = traced.into_iter();
    let mut out = String::new();
    for outcome in answers {
        match outcome {
            Err(e) => out.push_str(
                &serde_json::to_string(&Schema::RouteBatchLine.wrap(&e))
                    .map_err(|e| Error::Output(std::io::Error::other(e)))?,
            ),
            Ok((line, text)) => {
                let Some(t) = traced.next() else {
                    break;
                };
                out.push_str(&answer(Schema::RouteBatchLine, line, &t, &text)?);
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// A chunk the writer appended: its answers, and where its records went
/// (or why they could not be appended).
type Written = (
    Vec<Result<(usize, String), LineError>>,
    Result<Vec<Appended>, Error>,
);

/// Prints the answers of a chunk the writer appended; its error if it
/// could not.
fn print_written((answers, appended): Written, ui: &mut Ui) -> Result<(), Error> {
    let traced = crate::app::route::appended(appended?);
    ui.raw(&render(answers, traced)?)
}

/// Where chunks of a batch go. `Inline` appends (or, with --dry-run or
/// without a home, names) the records and prints the answers at once;
/// `Writer` hands each chunk to a thread that appends its records on its
/// own connection to the store, one transaction a chunk, and hands the
/// answers back with where the records went, to be printed in order (an
/// answer is printed only once its record is committed). At most one chunk
/// waits for the writer while it writes one, so memory stays bounded.
enum Sink<'scope> {
    Inline,
    Writer {
        chunks: Option<std::sync::mpsc::SyncSender<Chunk>>,
        answers: std::sync::mpsc::Receiver<Written>,
        thread: std::thread::ScopedJoinHandle<'scope, ()>,
        /// Chunks sent whose answers were not printed yet.
        outstanding: usize,
    },
}

impl<'scope> Sink<'scope> {
    /// A writer thread appending to `store`; `inputs` (what replay needs
    /// that the home does not hold) go with the first chunk.
    fn writer<'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        mut store: Store,
        inputs: Vec<caio_store::traces::Input>,
    ) -> Sink<'scope> {
        let (chunks, received) = std::sync::mpsc::sync_channel::<Chunk>(1);
        let (send, answers) = std::sync::mpsc::channel();
        let thread = scope.spawn(move || {
            let mut inputs = inputs;
            for chunk in received {
                let appended = store
                    .append_traces(&chunk.records, &std::mem::take(&mut inputs))
                    .map_err(Error::from);
                let failed = appended.is_err();
                if send.send((chunk.answers, appended)).is_err() || failed {
                    break;
                }
            }
        });
        Sink::Writer {
            chunks: Some(chunks),
            answers,
            thread,
            outstanding: 0,
        }
    }

    /// Sends the pending lines on as one chunk (nothing when none is
    /// pending), and prints the answers of chunks already written.
    fn send(
        &mut self,
        args: &RouteArgs,
        router: &mut Router,
        pending: &mut Vec<LineOutcome>,
        ui: &mut Ui,
    ) -> Result<(), Error> {
        if pending.is_empty() {
            return Ok(());
        }
        let chunk = Chunk::take(pending);
        match self {
            Sink::Inline => {
                let traced = crate::app::route::append(router, &chunk.records, args.dry_run)?;
                ui.raw(&render(chunk.answers, traced)?)
            }
            Sink::Writer {
                chunks,
                outstanding,
                ..
            } => {
                let sent = chunks.as_ref().is_some_and(|c| c.send(chunk).is_ok());
                if sent {
                    *outstanding += 1;
                    self.print(false, ui)
                } else {
                    // The writer stopped: its answer says why.
                    self.print(true, ui)?;
                    Err(Error::Output(std::io::Error::other(
                        "the trace writer stopped",
                    )))
                }
            }
        }
    }

    /// Prints the answers of every chunk sent so far, waiting for the
    /// writer to write them.
    fn wait(&mut self, ui: &mut Ui) -> Result<(), Error> {
        self.print(true, ui)
    }

    /// Prints the answers written so far (`wait`: of every chunk sent),
    /// in order; the writer's error if it failed.
    fn print(&mut self, wait: bool, ui: &mut Ui) -> Result<(), Error> {
        let Sink::Writer {
            answers,
            outstanding,
            ..
        } = self
        else {
            return Ok(());
        };
        while *outstanding > 0 {
            let next = match wait {
                true => answers.recv().ok(),
                false => answers.try_recv().ok(),
            };
            let Some(written) = next else {
                break;
            };
            *outstanding -= 1;
            print_written(written, ui)?;
        }
        Ok(())
    }

    /// Stops the writer once it has written every chunk sent, printing
    /// their answers.
    fn finish(self, ui: &mut Ui) -> Result<(), Error> {
        let Sink::Writer {
            mut chunks,
            answers,
            thread,
            outstanding,
        } = self
        else {
            return Ok(());
        };
        chunks.take();
        let mut printed = Ok(());
        for written in answers.iter().take(outstanding) {
            if let Err(e) = print_written(written, ui) {
                printed = Err(e);
                break;
            }
        }
        drop(answers);
        if thread.join().is_err() {
            return Err(Error::Output(std::io::Error::other(
                "the trace writer stopped unexpectedly",
            )));
        }
        printed
    }
}

/// The batch input, buffered, and its size when it is a file (for the
/// progress bar). There is no cap on the whole stream, only per line.
/// The buffer holds what a pipe does (64 KiB on Linux), hundreds of lines:
/// answers read from a pipe are flushed when it runs dry, one transaction
/// each, and a larger buffer would only hold more of a file.
fn open_batch(path: &Path) -> Result<(BatchInput, Option<u64>), Error> {
    const BUFFER: usize = 64 << 10;
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

#[cfg(test)]
mod tests {
    use super::*;
    use caio_core::routing::Identity;

    /// A batch line spliced from an answer serialised before its record
    /// was appended is the document serialised whole.
    #[test]
    fn spliced_answers_are_the_whole_document() {
        let request = Request::for_capability("chat");
        let routed = Routed::new(
            caio_core::routing::route(
                &request,
                &Identity::Anonymous,
                &[],
                &caio_core::policy::PolicySet::default(),
            ),
            Identity::Anonymous,
            &[],
            "policy".into(),
            0,
            |_| String::new(),
        );
        let untraced = Traced {
            decision_id: String::new(),
            trace: None,
        };
        let text = serde_json::to_string(&RouteJson::new(&routed, &untraced, None, false)).unwrap();
        for traced in [
            Traced {
                decision_id: "0123abcd".into(),
                trace: Some(Appended {
                    seq: 42,
                    hash: [7; 32],
                }),
            },
            Traced {
                decision_id: "0123abcd".into(),
                trace: None,
            },
        ] {
            let mut doc = RouteJson::new(&routed, &traced, None, false);
            doc.line = Some(9);
            let whole = serde_json::to_string(&Schema::RouteBatchLine.wrap(&doc)).unwrap();
            assert_eq!(
                answer(Schema::RouteBatchLine, 9, &traced, &text).unwrap(),
                whole
            );
        }
    }
}
