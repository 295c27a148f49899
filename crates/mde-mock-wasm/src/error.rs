//! [`Thrown`]: every error that crosses to JavaScript, as a JSON text `{"kind", "message", "option"}` from which
//! the facade (`js/errors.js`) builds a `MockError`. The messages are the engine's, unchanged.

use mde_mock_engine::flags::FlagError;
use mde_mock_engine::options::OptionsError;
use mde_mock_engine::{LiveOff, UpdateError};
use wasm_bindgen::JsValue;

/// What went wrong, by what the caller can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An option of `createMockApi`/`startMock` (`option` names it).
    InvalidOption,
    /// A command-line flag of the bin (`option` names the flag, without dashes).
    InvalidFlag,
    /// The investigations of `--data` or `addInvestigations` do not read.
    InvalidInvestigations,
    /// A fault name `planFaults` does not know, or a rate outside 0 to 1.
    InvalidFault,
    /// `updateInvestigation` of an id the mock does not have.
    InvestigationNotFound,
    /// `updateInvestigation` with a field it cannot take.
    InvalidUpdate,
    /// `setLivePaused` on a mock without live mode.
    LiveOff,
}

impl Kind {
    /// The name JavaScript sees (`MockError.kind`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::InvalidOption => "InvalidOption",
            Kind::InvalidFlag => "InvalidFlag",
            Kind::InvalidInvestigations => "InvalidInvestigations",
            Kind::InvalidFault => "InvalidFault",
            Kind::InvestigationNotFound => "InvestigationNotFound",
            Kind::InvalidUpdate => "InvalidUpdate",
            Kind::LiveOff => "LiveOff",
        }
    }
}

/// An error on its way to JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thrown {
    /// What went wrong.
    pub kind: Kind,
    /// The engine's message.
    pub message: String,
    /// The option or flag it is about, when there is one.
    pub option: Option<String>,
}

impl Thrown {
    /// An error without an option.
    pub fn new(kind: Kind, message: impl Into<String>) -> Thrown {
        Thrown { kind, message: message.into(), option: None }
    }

    /// The JSON text the facade reads.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "kind": self.kind.name(), "message": self.message, "option": self.option }).to_string()
    }

    /// The value thrown into JavaScript: the JSON text.
    pub fn into_js(self) -> JsValue {
        JsValue::from_str(&self.to_json())
    }
}

impl From<OptionsError> for Thrown {
    fn from(e: OptionsError) -> Thrown {
        let option = match &e {
            OptionsError::Invalid { option, .. } => Some(option.js.to_string()),
            OptionsError::Unknown { name } | OptionsError::UnknownServerOption { name } => Some(name.clone()),
            OptionsError::NotAnObject => None,
        };
        Thrown { kind: Kind::InvalidOption, message: e.to_string(), option }
    }
}

impl From<FlagError> for Thrown {
    fn from(e: FlagError) -> Thrown {
        let option = match &e {
            FlagError::Invalid { flag, .. } => Some((*flag).to_string()),
            FlagError::Unknown(flag) => Some(flag.clone()),
            FlagError::Options(OptionsError::Invalid { option, .. }) => {
                Some(option.flag.trim_start_matches('-').to_string())
            }
            _ => None,
        };
        Thrown { kind: Kind::InvalidFlag, message: e.to_string(), option }
    }
}

impl From<UpdateError> for Thrown {
    fn from(e: UpdateError) -> Thrown {
        let kind = match e {
            UpdateError::NotFound(_) => Kind::InvestigationNotFound,
            UpdateError::Invalid(_) => Kind::InvalidUpdate,
        };
        Thrown::new(kind, e.to_string())
    }
}

impl From<LiveOff> for Thrown {
    fn from(e: LiveOff) -> Thrown {
        Thrown::new(Kind::LiveOff, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_mock_engine::Options;
    use serde_json::{json, Value};

    fn parsed(t: &Thrown) -> Value {
        serde_json::from_str(&t.to_json()).unwrap()
    }

    #[test]
    fn option_errors_name_the_option_and_keep_the_engine_message() {
        let e = Options::from_json(&json!({"perMinute": 0})).unwrap_err();
        let t = Thrown::from(e.clone());
        assert_eq!(parsed(&t), json!({"kind": "InvalidOption", "message": e.to_string(), "option": "perMinute"}));
        let t = Thrown::from(Options::from_json(&json!({"colour": 1})).unwrap_err());
        assert_eq!(t.option.as_deref(), Some("colour"));
        let t = Thrown::from(Options::from_json(&json!(3)).unwrap_err());
        assert_eq!(parsed(&t)["option"], Value::Null);
    }

    #[test]
    fn flag_errors_name_the_flag() {
        let t = Thrown::from(mde_mock_engine::flags::parse([("per-minute", "zero")]).unwrap_err());
        assert_eq!((t.kind, t.option.as_deref()), (Kind::InvalidFlag, Some("per-minute")));
        assert!(t.message.starts_with("invalid value `zero` for `--per-minute`"), "{}", t.message);
        let t = Thrown::from(mde_mock_engine::flags::parse([("token", " ")]).unwrap_err());
        assert_eq!(t.option.as_deref(), Some("token"));
    }

    #[test]
    fn messages_with_quotes_and_newlines_stay_valid_json() {
        let t = Thrown::new(Kind::InvalidUpdate, "a \"b\"\nc\\");
        assert_eq!(parsed(&t)["message"], "a \"b\"\nc\\");
    }
}
