//! `caio schema NAME`: the JSON Schema of a JSON document caio prints.

use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Every JSON document caio prints carries \"schema_version\": N, an integer \
bumped when that document changes in a way that breaks a reader (a field removed, renamed or \
retyped); new fields may appear without a bump. Errors on stderr in JSON mode follow the \
`error` schema."
)]
pub struct SchemaArgs {
    /// The document
    #[arg(value_enum, value_name = "NAME")]
    pub name: Schema,
}

pub fn run(args: &SchemaArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let text = args.name.text();
    ui.raw(text)?;
    if !text.ends_with('\n') {
        ui.raw("\n")?;
    }
    Ok(Exit::Success)
}
