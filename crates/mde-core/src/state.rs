//! `InvestigationState`: the documented states of an automated investigation, plus a fallback for new ones.
//!
//! The 18 states of the Investigation resource type
//! (<https://learn.microsoft.com/en-us/defender-endpoint/api/investigation>, revised 2025-11-11), in its order,
//! then `Disabled`, the 19th member of the state enumeration in Microsoft's own connector definition for this API
//! (the Logic Apps "Windows Defender ATP" connector, <https://learn.microsoft.com/en-us/connectors/wdatp/>).

use std::fmt;

macro_rules! states {
    ($($variant:ident),* $(,)?) => {
        /// The state of an investigation. Microsoft adds values over time: an unknown one decodes into
        /// [`InvestigationState::Other`], which keeps the text, never into an error.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum InvestigationState {
            $(
                #[doc = concat!("`", stringify!($variant), "`")]
                $variant,
            )*
            /// A state this version does not know, with the text the service sent.
            Other(String),
        }

        /// The position of each documented state in [`InvestigationState::KNOWN`] and `KNOWN_NAMES`.
        enum Position {
            $($variant),*
        }

        impl InvestigationState {
            /// The 19 known states: the 18 of Microsoft's documentation in its order, then `Disabled`.
            pub const KNOWN: &'static [InvestigationState] = &[$(InvestigationState::$variant),*];

            /// The documented names, in the same order as [`InvestigationState::KNOWN`].
            pub const KNOWN_NAMES: &'static [&'static str] = &[$(stringify!($variant)),*];

            /// The wire name of the state: a documented one read from [`InvestigationState::KNOWN_NAMES`] by its
            /// position (one table instead of a branch per state).
            pub fn as_str(&self) -> &str {
                let i = match self {
                    $(InvestigationState::$variant => Position::$variant as usize,)*
                    InvestigationState::Other(s) => return s,
                };
                InvestigationState::KNOWN_NAMES[i]
            }

            /// The documented state with exactly this name, if any (names are case-sensitive).
            pub fn known(name: &str) -> Option<InvestigationState> {
                let i = InvestigationState::KNOWN_NAMES.iter().position(|k| *k == name)?;
                // By position, not `KNOWN[i].clone()`: the derived clone is a branch per state.
                $(
                    if i == Position::$variant as usize {
                        return Some(InvestigationState::$variant);
                    }
                )*
                None
            }
        }
    };
}

states!(
    Unknown,
    Terminated,
    SuccessfullyRemediated,
    Benign,
    Failed,
    PartiallyRemediated,
    Running,
    PendingApproval,
    PendingResource,
    PartiallyInvestigated,
    TerminatedByUser,
    TerminatedBySystem,
    Queued,
    InnerFailure,
    PreexistingAlert,
    UnsupportedOs,
    UnsupportedAlertType,
    SuppressedAlert,
    Disabled,
);

impl InvestigationState {
    /// Decodes a wire name: a documented state, or [`InvestigationState::Other`] keeping the text.
    pub fn from_name(name: &str) -> InvestigationState {
        InvestigationState::known(name).unwrap_or_else(|| InvestigationState::Other(name.to_owned()))
    }

    /// The documented state whose name matches ignoring ASCII case (for "did you mean" hints).
    pub fn suggest(name: &str) -> Option<&'static str> {
        InvestigationState::KNOWN_NAMES.iter().copied().find(|k| k.eq_ignore_ascii_case(name))
    }

    /// Whether this is one of the documented states.
    pub fn is_known(&self) -> bool {
        !matches!(self, InvestigationState::Other(_))
    }
}

impl fmt::Display for InvestigationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for InvestigationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvestigationState::Other(s) => write!(f, "Other({})", crate::Quoted(s)),
            known => f.write_str(known.as_str()),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for InvestigationState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for InvestigationState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = InvestigationState;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a state name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<InvestigationState, E> {
                Ok(InvestigationState::from_name(v))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nineteen_known_states_round_trip() {
        assert_eq!(InvestigationState::KNOWN.len(), 19);
        for s in InvestigationState::KNOWN {
            assert_eq!(&InvestigationState::from_name(s.as_str()), s);
        }
    }

    #[test]
    fn names_by_position_are_the_documented_names() {
        let documented = [
            "Unknown",
            "Terminated",
            "SuccessfullyRemediated",
            "Benign",
            "Failed",
            "PartiallyRemediated",
            "Running",
            "PendingApproval",
            "PendingResource",
            "PartiallyInvestigated",
            "TerminatedByUser",
            "TerminatedBySystem",
            "Queued",
            "InnerFailure",
            "PreexistingAlert",
            "UnsupportedOs",
            "UnsupportedAlertType",
            "SuppressedAlert",
            "Disabled",
        ];
        assert_eq!(InvestigationState::KNOWN.len(), documented.len());
        for (state, name) in InvestigationState::KNOWN.iter().zip(documented) {
            assert_eq!(state.as_str(), name);
            assert_eq!(state.to_string(), name);
            assert_eq!(InvestigationState::known(name).as_ref(), Some(state));
            assert!(state.is_known());
        }
        assert_eq!(InvestigationState::known("Benign"), Some(InvestigationState::Benign));
        assert_eq!(InvestigationState::SuppressedAlert.as_str(), "SuppressedAlert");
        assert_eq!(InvestigationState::Other("Benign".into()).as_str(), "Benign");
    }

    #[test]
    fn known_matches_exact_names_only() {
        assert_eq!(InvestigationState::known("Running"), Some(InvestigationState::Running));
        assert_eq!(InvestigationState::known("SuppressedAlert"), Some(InvestigationState::SuppressedAlert));
        for other in ["", "running", "Runnin", "RunningX", " Running", "Other", "Unknown\0"] {
            assert_eq!(InvestigationState::known(other), None, "{other:?}");
        }
    }

    #[test]
    fn unknown_state_keeps_its_text() {
        let s = InvestigationState::from_name("AwaitingQuantumApproval");
        assert_eq!(s, InvestigationState::Other("AwaitingQuantumApproval".into()));
        assert_eq!(s.as_str(), "AwaitingQuantumApproval");
        assert_eq!(InvestigationState::from_name("running"), InvestigationState::Other("running".into()));
        assert_eq!(InvestigationState::suggest("running"), Some("Running"));
    }
}
