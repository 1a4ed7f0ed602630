//! Server-sent events framing (the WHATWG `text/event-stream` format), read
//! incrementally: lines end with LF, CRLF or CR; `event:` names an event,
//! `data:` lines are joined with LF, a blank line dispatches, `:` lines are
//! comments. What an event *means* is the provider fold's business
//! (`caio_core::provider::stream`).

use std::io::{BufRead, BufReader, Read};

/// The longest event caio accepts, in bytes: a stream is not a way around
/// the response size limit of one event.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    /// The `event:` field, when there was one.
    pub event: Option<String>,
    /// The `data:` lines, joined with LF.
    pub data: String,
    /// The bytes of the event as they were read (for `--raw`).
    pub raw: Vec<u8>,
}

/// Reads events from a byte stream.
pub struct SseReader<R: Read> {
    reader: BufReader<R>,
    line: Vec<u8>,
}

impl<R: Read> SseReader<R> {
    pub fn new(inner: R) -> SseReader<R> {
        SseReader {
            reader: BufReader::with_capacity(16 * 1024, inner),
            line: Vec::new(),
        }
    }

    /// The next event; `None` at the end of the stream (an unfinished
    /// event at the end is dropped, as the format says).
    pub fn next_event(&mut self) -> std::io::Result<Option<Event>> {
        let mut event = Event::default();
        let mut has_data = false;
        loop {
            self.line.clear();
            let n = read_line(&mut self.reader, &mut self.line)?;
            if n == 0 {
                return Ok(None);
            }
            event.raw.extend_from_slice(&self.line);
            if event.raw.len() > MAX_EVENT_BYTES {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("an event is larger than {MAX_EVENT_BYTES} bytes"),
                ));
            }
            let text = String::from_utf8_lossy(trim_eol(&self.line));
            if text.is_empty() {
                if has_data || event.event.is_some() {
                    return Ok(Some(event));
                }
                event.raw.clear();
                continue;
            }
            if text.starts_with(':') {
                continue;
            }
            let (field, value) = match text.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (text.as_ref(), ""),
            };
            match field {
                "event" => event.event = Some(value.to_string()),
                "data" => {
                    if has_data {
                        event.data.push('\n');
                    }
                    event.data.push_str(value);
                    has_data = true;
                }
                _ => {}
            }
        }
    }
}

/// Reads one line (through LF, or a lone CR) into `buf`; 0 at the end.
fn read_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(total);
        }
        match available.iter().position(|b| *b == b'\n' || *b == b'\r') {
            Some(i) => {
                let crlf = available[i] == b'\r' && available.get(i + 1) == Some(&b'\n');
                let end = i + if crlf { 2 } else { 1 };
                buf.extend_from_slice(&available[..end]);
                reader.consume(end);
                total += end;
                // A CR at the end of the buffer may be the first half of CRLF.
                if available_ends_in_cr(buf) && !crlf {
                    let next = reader.fill_buf()?;
                    if next.first() == Some(&b'\n') {
                        buf.push(b'\n');
                        reader.consume(1);
                        total += 1;
                    }
                }
                return Ok(total);
            }
            None => {
                let n = available.len();
                buf.extend_from_slice(available);
                reader.consume(n);
                total += n;
                if buf.len() > MAX_EVENT_BYTES {
                    return Ok(total);
                }
            }
        }
    }
}

fn available_ends_in_cr(buf: &[u8]) -> bool {
    buf.last() == Some(&b'\r')
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &[u8]) -> Vec<Event> {
        let mut r = SseReader::new(text);
        let mut out = Vec::new();
        while let Some(e) = r.next_event().unwrap() {
            out.push(e);
        }
        out
    }

    #[test]
    fn events_with_names_multiline_data_and_comments() {
        let got = events(b": comment\n\nevent: message_start\ndata: {\"a\":1}\n\ndata: one\ndata: two\n\ndata: [DONE]\n\n");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].event.as_deref(), Some("message_start"));
        assert_eq!(got[0].data, "{\"a\":1}");
        assert_eq!(got[0].raw, b"event: message_start\ndata: {\"a\":1}\n\n");
        assert_eq!(got[1].data, "one\ntwo");
        assert_eq!(got[2].data, "[DONE]");
    }

    #[test]
    fn crlf_and_cr_line_ends() {
        let got = events(b"data: a\r\n\r\ndata:b\r\rdata: c\n\n");
        let data: Vec<&str> = got.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["a", "b", "c"]);
    }

    #[test]
    fn an_unfinished_event_at_the_end_is_dropped() {
        assert!(events(b"data: half").is_empty());
    }

    /// Bytes that arrive one at a time still frame the same events.
    #[test]
    fn byte_by_byte() {
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.split_first() {
                    Some((b, rest)) if !buf.is_empty() => {
                        buf[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut r = SseReader::new(OneByte(b"data: x\r\n\r\nevent: e\ndata: y\n\n"));
        assert_eq!(r.next_event().unwrap().unwrap().data, "x");
        let e = r.next_event().unwrap().unwrap();
        assert_eq!((e.event.as_deref(), e.data.as_str()), (Some("e"), "y"));
        assert_eq!(r.next_event().unwrap(), None);
    }
}
