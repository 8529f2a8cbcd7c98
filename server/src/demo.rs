//! PLACEHOLDER: replaced by the demo data generator being written.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData;
pub fn demo_data() -> DemoData {
    DemoData
}
