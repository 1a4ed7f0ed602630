//! `caio contract new`: commented starting points for each kind of service.
//!
//! The templates are compiled in from `crates/caio-core/templates/*.yaml.tmpl`
//! (`contracts/templates/` holds the same files; `.tmpl`, not `.yaml`, so a
//! directory walk over `contracts/` never mistakes them for real services).

/// A kind of service `contract new` can scaffold (`--template`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Template {
    /// A chat/completion LLM API
    Llm,
    /// A text embedding API
    Embedding,
    /// A speech-to-text API
    Speech,
    /// A web search API
    Search,
    /// An image generation API
    Image,
}

/// What `{{id}}` is replaced with.
const PLACEHOLDER: &str = "{{id}}";

impl Template {
    #[cfg(test)]
    const ALL: [Template; 5] = [
        Template::Llm,
        Template::Embedding,
        Template::Speech,
        Template::Search,
        Template::Image,
    ];

    fn text(self) -> &'static str {
        match self {
            Template::Llm => include_str!("../../templates/llm.yaml.tmpl"),
            Template::Embedding => include_str!("../../templates/embedding.yaml.tmpl"),
            Template::Speech => include_str!("../../templates/speech.yaml.tmpl"),
            Template::Search => include_str!("../../templates/search.yaml.tmpl"),
            Template::Image => include_str!("../../templates/image.yaml.tmpl"),
        }
    }

    /// The contract text for a service id (already validated by the caller).
    /// An id YAML would read as something else (`123`, `true`, `null`,
    /// `1e10`) is quoted, so the contract always validates.
    pub fn render(self, service_id: &str) -> String {
        let plain = crate::yaml::parse(&format!("k: {service_id}"))
            .ok()
            .and_then(|n| {
                n.get("k")
                    .map(|v| matches!(v.kind, crate::yaml::Kind::Str(_)))
            })
            .unwrap_or(false);
        let shown = if plain {
            service_id.to_string()
        } else {
            format!("\"{service_id}\"")
        };
        self.text().replace(PLACEHOLDER, &shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_a_valid_contract() {
        for t in Template::ALL {
            assert!(t.text().contains(PLACEHOLDER), "{t:?}");
            let text = t.render("my-service");
            let file = crate::contract::validate_text("new.yaml", &text);
            assert!(
                file.report.problems.is_empty(),
                "{t:?}: {:?}",
                file.report.problems
            );
            assert_eq!(file.contract.unwrap().service_id, "my-service");
        }
    }

    #[test]
    fn ids_yaml_would_read_as_other_types_are_quoted() {
        for id in [
            "123", "00", "1e10", "0x1f", "0o17", "true", "null", "no", "1-2",
        ] {
            let text = Template::Llm.render(id);
            let file = crate::contract::validate_text("new.yaml", &text);
            assert!(file.report.is_valid(), "{id}: {:?}", file.report.problems);
            assert_eq!(file.contract.unwrap().service_id, id);
        }
        assert!(
            Template::Llm
                .render("my-service")
                .contains("service_id: my-service ")
        );
    }
}
