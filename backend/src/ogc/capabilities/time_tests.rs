//! Tests of time extents: parsing, expansion, and the validation of requested TIME values.

use kartenn_common::{TimeDimension, TimeExtent};

use super::{CapabilitiesError, expand_time, parse_time_extent, time_allowed};

fn extent(text: &str) -> Vec<TimeExtent> {
    parse_time_extent(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn dimension(text: &str) -> TimeDimension {
    TimeDimension {
        default: None,
        extent: extent(text),
    }
}

fn expanded(text: &str, max: usize) -> Option<Vec<String>> {
    expand_time(&extent(text), max).unwrap()
}

#[test]
fn a_list_of_instants_and_ranges_parses_into_items_in_order() {
    assert_eq!(
        extent("2020-01-01/2020-12-31/P1M, 2021-06-01T12:00:00Z ,2022"),
        [
            TimeExtent::Range {
                start: "2020-01-01".into(),
                end: "2020-12-31".into(),
                period: Some("P1M".into()),
            },
            TimeExtent::Instant {
                at: "2021-06-01T12:00:00Z".into()
            },
            TimeExtent::Instant { at: "2022".into() },
        ]
    );
    assert_eq!(
        extent("2018-01-01T00:00:00.000Z/current"),
        [TimeExtent::Range {
            start: "2018-01-01T00:00:00.000Z".into(),
            end: "current".into(),
            period: None,
        }]
    );
    assert!(extent("  ").is_empty());
}

#[test]
fn every_iso_8601_form_servers_use_is_accepted() {
    for ok in [
        "2020",
        "2020-06",
        "2020-06-01",
        "2020-06-01T12Z",
        "2020-06-01T12:30Z",
        "2020-06-01T12:30:15Z",
        "2020-06-01T12:30:15.123Z",
        "2020-06-01T12:30:15.123456789+02:00",
        "2020-06-01T12:30:15-0330",
        "2020-06-01T12:30:15",
        "2020-02-29",
        "2000-01-01/2030-01-01/P1Y",
        "2020-01-01/2020-01-31/P7D",
        "2020-01-01/2020-01-31/P2W",
        "2020-01-01T00:00Z/2020-01-02T00:00Z/PT1H",
        "2020-01-01T00:00Z/2020-01-02T00:00Z/PT10M",
        "2020-01-01T00:00Z/2020-01-10T00:00Z/P1DT12H",
        "2020-01-01T00:00:00Z/2020-01-01T00:00:01Z/PT0.25S",
        "2020-01-01/present",
    ] {
        assert!(parse_time_extent(ok).is_ok(), "{ok}");
    }
}

#[test]
fn an_invalid_item_is_an_error_naming_it() {
    for bad in [
        "2020-13-01",
        "2021-02-29",
        "2020-06-01T24:00Z",
        "2020-06-01T12:60Z",
        "2020-06-01Z",
        "20200601",
        "yesterday",
        "2020-01-01/2019-01-01",
        "2020-01-01/2020-12-31/1M",
        "2020-01-01/2020-12-31/P",
        "2020-01-01/2020-12-31/PT",
        "2020-01-01/2020-12-31/P0D",
        "2020-01-01/2020-12-31/P1.5D",
        "current/2020-01-01",
        "2020/2021/P1Y/x",
    ] {
        let text = format!("2019-01-01,{bad}");
        match parse_time_extent(&text) {
            Err(CapabilitiesError::Time(message)) => {
                assert!(message.contains(bad), "{bad}: {message}");
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
}

#[test]
fn a_range_with_a_period_expands_into_its_steps_in_the_advertised_form() {
    assert_eq!(
        expanded("2020-01-01/2020-04-15/P1M,2021-06-01T12:00:00Z", 10).unwrap(),
        [
            "2020-01-01",
            "2020-02-01",
            "2020-03-01",
            "2020-04-01",
            "2021-06-01T12:00:00Z"
        ]
    );
    assert_eq!(
        expanded("2018-01-01T00:00:00.000Z/2018-01-03T00:00:00.000Z/P1D", 10).unwrap(),
        [
            "2018-01-01T00:00:00.000Z",
            "2018-01-02T00:00:00.000Z",
            "2018-01-03T00:00:00.000Z"
        ]
    );
    assert_eq!(
        expanded("2018/2020/P1Y", 10).unwrap(),
        ["2018", "2019", "2020"]
    );
}

#[test]
fn sub_daily_periods_expand_with_times() {
    assert_eq!(
        expanded("2021-06-01T00:00Z/2021-06-01T00:30Z/PT10M", 10).unwrap(),
        [
            "2021-06-01T00:00Z",
            "2021-06-01T00:10Z",
            "2021-06-01T00:20Z",
            "2021-06-01T00:30Z"
        ]
    );
    assert_eq!(
        expanded("2021-06-01/2021-06-02/PT12H", 10).unwrap(),
        ["2021-06-01", "2021-06-01T12:00:00Z", "2021-06-02T00:00:00Z"]
    );
    assert_eq!(
        expanded(
            "2021-06-01T00:00:00+02:00/2021-06-03T12:00:00+02:00/P1DT12H",
            10
        )
        .unwrap(),
        ["2021-06-01T00:00:00+02:00", "2021-06-02T12:00:00+02:00"]
    );
    assert_eq!(
        expanded("2021-06-01T00:00:00Z/2021-06-01T00:00:01Z/PT0.5S", 10).unwrap(),
        [
            "2021-06-01T00:00:00Z",
            "2021-06-01T00:00:00.5Z",
            "2021-06-01T00:00:01.0Z"
        ]
    );
}

#[test]
fn month_steps_are_counted_from_the_start_so_month_ends_do_not_drift() {
    assert_eq!(
        expanded("2020-01-31/2020-05-31/P1M", 10).unwrap(),
        [
            "2020-01-31",
            "2020-02-29",
            "2020-03-31",
            "2020-04-30",
            "2020-05-31"
        ]
    );
}

#[test]
fn expansion_gives_none_beyond_the_limit_or_for_a_range_without_period() {
    let daily = "2018-01-01T00:00:00.000Z/2020-12-31T00:00:00.000Z/P1D";
    assert_eq!(expanded(daily, 1096).map(|v| v.len()), Some(1096));
    assert_eq!(expanded(daily, 1095), None);
    assert_eq!(expanded("2020-01-01,2020-02-01,2020-03-01", 2), None);
    assert_eq!(
        expanded("2020-01-01,2020-02-01", 2).map(|v| v.len()),
        Some(2)
    );
    assert_eq!(expanded("2020-01-01/2020-12-31", 1000), None);
    assert_eq!(
        expanded("2020-01-01/2020-01-01", 10).unwrap(),
        ["2020-01-01"]
    );
    // A huge sub-daily range stops at the limit instead of iterating.
    assert_eq!(
        expanded("1900-01-01T00:00Z/2100-01-01T00:00Z/PT1S", 100),
        None
    );
}

#[test]
fn a_range_ending_now_expands_up_to_the_current_time() {
    let steps = expanded("2000/current/P1Y", 1000).unwrap();
    assert_eq!(steps.first().map(String::as_str), Some("2000"));
    let last: i32 = steps.last().unwrap().parse().unwrap();
    assert!(last >= 2025, "{last}");
    assert_eq!(steps.len(), usize::try_from(last - 1999).unwrap());
}

#[test]
fn expanding_a_hand_made_invalid_item_is_an_error() {
    let bad = [TimeExtent::Range {
        start: "2020-01-01".into(),
        end: "2020-02-01".into(),
        period: Some("every day".into()),
    }];
    assert!(matches!(
        expand_time(&bad, 10),
        Err(CapabilitiesError::Time(_))
    ));
}

#[test]
fn a_listed_instant_is_allowed_in_any_equivalent_spelling() {
    let d = dimension("2018-01-01T00:00:00.000Z,2019-01-01T00:00:00.000Z");
    assert!(time_allowed(&d, "2018-01-01T00:00:00.000Z"));
    assert!(time_allowed(&d, "2018-01-01T00:00:00Z"));
    assert!(time_allowed(&d, "2018-01-01"));
    assert!(time_allowed(&d, "2019-01-01T01:00:00+01:00"));
    assert!(!time_allowed(&d, "2018-01-02"));
    assert!(!time_allowed(&d, "2018-01-01T00:00:00.001Z"));
}

#[test]
fn an_instant_in_a_range_must_be_on_a_period_step() {
    let daily = dimension("2018-01-01T00:00:00.000Z/2020-12-31T00:00:00.000Z/P1D");
    assert!(time_allowed(&daily, "2018-01-01T00:00:00.000Z"), "start");
    assert!(time_allowed(&daily, "2019-07-14"), "on step");
    assert!(time_allowed(&daily, "2020-12-31T00:00:00Z"), "end");
    assert!(!time_allowed(&daily, "2019-07-14T12:00:00Z"), "off step");
    assert!(!time_allowed(&daily, "2017-12-31"), "before");
    assert!(!time_allowed(&daily, "2021-01-01"), "after");

    let ten_minutes = dimension("2021-06-01T00:00:00.000Z/2021-06-02T00:00:00.000Z/PT10M");
    assert!(time_allowed(&ten_minutes, "2021-06-01T13:40:00Z"));
    assert!(time_allowed(&ten_minutes, "2021-06-01T15:40:00+02:00"));
    assert!(!time_allowed(&ten_minutes, "2021-06-01T13:45:00Z"));

    let monthly = dimension("2020-01-31/2021-12-31/P1M");
    assert!(time_allowed(&monthly, "2020-02-29"));
    assert!(time_allowed(&monthly, "2021-11-30"));
    assert!(!time_allowed(&monthly, "2020-02-28"));
    assert!(!time_allowed(&monthly, "2020-03-30"));

    let yearly = dimension("1950/2020/P5Y");
    assert!(time_allowed(&yearly, "1985"));
    assert!(time_allowed(&yearly, "1985-01-01T00:00:00Z"));
    assert!(!time_allowed(&yearly, "1986"));
}

#[test]
fn a_range_without_period_allows_anything_inside_including_its_last_day() {
    let d = dimension("2020-01-01/2020-12-31");
    assert!(time_allowed(&d, "2020-06-15T13:37:00Z"));
    assert!(time_allowed(&d, "2020-12-31T23:59:59Z"));
    assert!(!time_allowed(&d, "2021-01-01T00:00:00Z"));
    assert!(!time_allowed(&d, "2019-12-31T23:59:59Z"));
}

#[test]
fn a_requested_range_must_overlap_the_extent() {
    let d = dimension("2018-01-01T00:00:00.000Z/2020-12-31T00:00:00.000Z/P1D,2022-06-01");
    assert!(time_allowed(&d, "2017-01-01/2018-01-01"));
    assert!(time_allowed(
        &d,
        "2019-01-01T00:00:00Z/2019-02-01T00:00:00Z"
    ));
    assert!(time_allowed(&d, "2022-01-01/2022-12-31/P1D"));
    assert!(!time_allowed(&d, "2021-01-02/2022-05-31"));
    assert!(!time_allowed(&d, "2016-01-01/2017-12-31"));
    assert!(!time_allowed(&d, "2020-01-01/2019-01-01"), "reversed");
}

#[test]
fn a_range_ending_current_reaches_now() {
    let d = dimension("2018-01-01T00:00:00.000Z/current/PT1H");
    assert!(time_allowed(&d, "2024-03-01T05:00:00Z"));
    assert!(!time_allowed(&d, "2024-03-01T05:30:00Z"));
    assert!(
        !time_allowed(&d, "2999-01-01T00:00:00Z"),
        "the future is not yet"
    );
    assert!(time_allowed(&d, "current"));
    let present = dimension("2018-01-01/present");
    assert!(time_allowed(&present, "2024-03-01T05:30:00Z"));
}

#[test]
fn lists_and_garbage_in_a_request_are_judged_item_by_item() {
    let d = dimension("2018-01-01,2019-01-01");
    assert!(time_allowed(&d, "2018-01-01,2019-01-01"));
    assert!(!time_allowed(&d, "2018-01-01,2020-01-01"));
    for bad in [
        "",
        "yesterday",
        "2018-01-01/",
        "2018-01-01/2019/P1Y/x",
        "2018-01-01T25:00Z",
    ] {
        assert!(!time_allowed(&d, bad), "{bad:?}");
    }
    let empty = TimeDimension {
        default: None,
        extent: Vec::new(),
    };
    assert!(!time_allowed(&empty, "current"));
}
