//! `multipart/form-data` bodies (RFC 7578) for `openai-transcription`:
//! the text fields the protocol asks for, then the audio file.

/// A file to upload (`--input-file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The file name sent (the provider may read the format from its extension).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl InputFile {
    /// The media type its extension suggests.
    pub fn content_type(&self) -> &'static str {
        let ext = self
            .name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "wav" => "audio/wav",
            "mp3" | "mpga" | "mpeg" => "audio/mpeg",
            "m4a" | "mp4" => "audio/mp4",
            "ogg" | "oga" => "audio/ogg",
            "webm" => "audio/webm",
            "flac" => "audio/flac",
            _ => "application/octet-stream",
        }
    }
}

/// The body and its `content-type` header value.
pub fn form(fields: &[(String, String)], file_field: &str, file: &InputFile) -> (Vec<u8>, String) {
    // A boundary drawn from the content, never found in it.
    let mut boundary = format!(
        "caio-{}",
        &blake3::hash(&file.bytes).to_hex().as_str()[..24]
    );
    while contains(&file.bytes, boundary.as_bytes())
        || fields.iter().any(|(_, v)| v.contains(&boundary))
    {
        boundary.push('x');
    }
    let mut body = Vec::with_capacity(file.bytes.len() + 512);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"{}\"\r\n\r\n{value}\r\n",
                quoted(name)
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"{}\"; filename=\"{}\"\r\ncontent-type: {}\r\n\r\n",
            quoted(file_field),
            quoted(&file.name),
            file.content_type()
        )
        .as_bytes(),
    );
    body.extend_from_slice(&file.bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// A name safe inside a quoted header parameter.
fn quoted(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_then_the_file() {
        let file = InputFile {
            name: "a \"b\".wav".into(),
            bytes: b"RIFF....".to_vec(),
        };
        let fields = vec![
            ("model".to_string(), "whisper-1".to_string()),
            ("language".to_string(), "de".to_string()),
        ];
        let (body, content_type) = form(&fields, "file", &file);
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n\
                 --{boundary}\r\ncontent-disposition: form-data; name=\"language\"\r\n\r\nde\r\n\
                 --{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a _b_.wav\"\r\n\
                 content-type: audio/wav\r\n\r\nRIFF....\r\n--{boundary}--\r\n"
            )
        );
    }
}
