//! Quality check (rule 6): each service keeps a checklist in the catalog; at quality
//! check every step of every service on the order is marked passed or failed, a failed
//! step says why, and the order passes only if every step passed. A failed check sends
//! the car back to the bay ([`crate::order::Step::FailQc`]) and counts against the
//! responsible technician's first-time-fix rate.
//!
//! [`judge`] is the one decision: from the checklist and what was marked, the step the
//! work order takes, or why the marks are not a complete check.

use serde::{Deserialize, Serialize};

use crate::order::Step;
use crate::reception::NoteText;
use crate::Error;

/// One step of an order's checklist, numbered from 1 across its services.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcStep {
    /// Its number on this order's checklist.
    pub no: u32,
    /// What to check, in Chinese.
    pub text_zh: String,
    /// What to check, in English.
    pub text_en: String,
}

/// What was marked for one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcMark {
    /// The step's number.
    pub no: u32,
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed (required then), or a remark.
    pub note: Option<NoteText>,
}

impl QcMark {
    /// A mark as a form sends it: the step's number, `pass` or `fail`, and a note.
    pub fn parse(no: &str, outcome: &str, note: &str) -> Result<QcMark, Error> {
        let no: u32 = no.trim().parse().map_err(|_| Error::QcStepMissing)?;
        let passed = match outcome.trim() {
            "pass" => true,
            "fail" => false,
            _ => return Err(Error::QcStepMissing),
        };
        let note = match note.trim() {
            "" => None,
            text => Some(NoteText::parse(text)?),
        };
        Ok(QcMark { no, passed, note })
    }
}

/// An order's checklist: the steps of each of its `services` in the order given (the
/// booked ones, then approved extra work), a service counted once, numbered from 1.
/// `steps_of` gives a service's steps from the catalog, `(Chinese, English)`.
pub fn checklist<S: PartialEq + Copy>(
    services: &[S],
    steps_of: impl Fn(S) -> Vec<(String, String)>,
) -> Vec<QcStep> {
    let mut seen: Vec<S> = Vec::new();
    let mut list = Vec::new();
    for &service in services {
        if seen.contains(&service) {
            continue;
        }
        seen.push(service);
        for (text_zh, text_en) in steps_of(service) {
            list.push(QcStep {
                no: list.len() as u32 + 1,
                text_zh,
                text_en,
            });
        }
    }
    list
}

/// The step a quality check takes the work order: [`Step::PassQc`] when every step of
/// `checklist` passed, [`Step::FailQc`] when any failed. Refused with
/// [`Error::QcStepMissing`] unless every step is marked exactly once (and nothing else
/// is), and with [`Error::QcNoteMissing`] if a failed step does not say why.
pub fn judge(checklist: &[QcStep], marks: &[QcMark]) -> Result<Step, Error> {
    let complete = marks.len() == checklist.len()
        && checklist
            .iter()
            .all(|s| marks.iter().filter(|m| m.no == s.no).count() == 1);
    if !complete {
        return Err(Error::QcStepMissing);
    }
    if marks.iter().any(|m| !m.passed && m.note.is_none()) {
        return Err(Error::QcNoteMissing);
    }
    Ok(if marks.iter().all(|m| m.passed) {
        Step::PassQc
    } else {
        Step::FailQc
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn checklist(n: u32) -> Vec<QcStep> {
        (1..=n)
            .map(|no| QcStep {
                no,
                text_zh: format!("检查 {no}"),
                text_en: format!("check {no}"),
            })
            .collect()
    }

    fn mark(no: u32, passed: bool) -> QcMark {
        QcMark {
            no,
            passed,
            note: (!passed).then(|| NoteText::parse("渗油").expect("note")),
        }
    }

    #[test]
    fn every_step_marked_and_every_failure_explained() {
        let list = checklist(3);
        let all = [mark(1, true), mark(2, true), mark(3, true)];
        assert_eq!(judge(&list, &all), Ok(Step::PassQc));
        assert_eq!(
            judge(&list, &[mark(1, true), mark(2, false), mark(3, true)]),
            Ok(Step::FailQc)
        );
        assert_eq!(judge(&list, &all[..2]), Err(Error::QcStepMissing));
        assert_eq!(
            judge(&list, &[mark(1, true), mark(1, true), mark(3, true)]),
            Err(Error::QcStepMissing)
        );
        assert_eq!(
            judge(&list, &[mark(1, true), mark(2, true), mark(4, true)]),
            Err(Error::QcStepMissing)
        );
        let unexplained = QcMark {
            no: 2,
            passed: false,
            note: None,
        };
        assert_eq!(
            judge(&list, &[mark(1, true), unexplained, mark(3, true)]),
            Err(Error::QcNoteMissing)
        );
        assert_eq!(
            QcMark::parse(" 2 ", "fail", " 滤芯渗油 "),
            Ok(QcMark {
                no: 2,
                passed: false,
                note: Some(NoteText::parse("滤芯渗油").expect("note")),
            })
        );
        assert_eq!(QcMark::parse("x", "pass", ""), Err(Error::QcStepMissing));
        assert_eq!(QcMark::parse("1", "maybe", ""), Err(Error::QcStepMissing));
    }

    #[test]
    fn a_checklist_covers_each_service_once_numbered_from_one() {
        let steps = |s: u8| -> Vec<(String, String)> {
            (0..s)
                .map(|i| (format!("步骤 {s}.{i}"), format!("step {s}.{i}")))
                .collect()
        };
        let list = super::checklist(&[2, 3, 2], steps);
        assert_eq!(
            list.iter()
                .map(|s| (s.no, s.text_en.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (1, "step 2.0"),
                (2, "step 2.1"),
                (3, "step 3.0"),
                (4, "step 3.1"),
                (5, "step 3.2")
            ]
        );
    }

    proptest! {
        /// Whatever is marked: the check passes only when every step is marked once and
        /// passed; it fails only when every step is marked once, one failed, and every
        /// failure says why; anything else is refused.
        #[test]
        fn a_check_passes_only_when_every_step_passed(
            n in 1u32..8,
            marks in proptest::collection::vec((1u32..10, any::<bool>(), any::<bool>()), 0..10),
        ) {
            let list = checklist(n);
            let marks: Vec<QcMark> = marks
                .into_iter()
                .map(|(no, passed, noted)| QcMark {
                    no,
                    passed,
                    note: noted.then(|| NoteText::parse("说明").expect("note")),
                })
                .collect();
            let once = list.iter().all(|s| marks.iter().filter(|m| m.no == s.no).count() == 1)
                && marks.len() == list.len();
            match judge(&list, &marks) {
                Ok(Step::PassQc) => prop_assert!(once && marks.iter().all(|m| m.passed)),
                Ok(Step::FailQc) => {
                    prop_assert!(once && marks.iter().any(|m| !m.passed));
                    prop_assert!(marks.iter().all(|m| m.passed || m.note.is_some()));
                }
                Ok(other) => prop_assert!(false, "{other:?}"),
                Err(Error::QcStepMissing) => prop_assert!(!once),
                Err(Error::QcNoteMissing) => prop_assert!(once),
                Err(e) => prop_assert!(false, "{e:?}"),
            }
        }
    }
}
