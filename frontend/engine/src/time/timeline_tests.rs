//! Tests of the timeline: union, nearest earlier values, stepping, ranges, the play clock.

use super::*;

fn ms(text: &str) -> i64 {
    parse_instant(text).unwrap().millis
}

fn iso(t: i64) -> String {
    Selection::At(t).format()
}

fn range(start: &str, end: &str, period: Option<&str>) -> TimeExtent {
    TimeExtent::Range {
        start: start.into(),
        end: end.into(),
        period: period.map(Into::into),
    }
}

fn instant(at: &str) -> TimeExtent {
    TimeExtent::Instant { at: at.into() }
}

fn layer(extent: Vec<TimeExtent>) -> LayerTimes {
    LayerTimes::from_dimension(&TimeDimension {
        default: None,
        extent,
    })
    .unwrap()
}

/// The MapServer peer's `observations`: every six hours from June 1st to the 5th, 18:00.
fn observations() -> LayerTimes {
    layer(vec![range(
        "2024-06-01T00:00:00Z",
        "2024-06-05T18:00:00Z",
        Some("PT6H"),
    )])
}

fn daily() -> LayerTimes {
    layer(vec![range("2024-06-01", "2024-06-10", Some("P1D"))])
}

#[test]
fn the_union_of_two_layers_holds_every_instant_of_both_once_in_order() {
    let timeline = Timeline::new([&observations(), &daily()]);
    // 20 six-hourly instants (midnights included) and 10 days, of which 5 are the same midnights.
    assert_eq!(timeline.len(), 25);
    assert_eq!(iso(timeline.get(0).unwrap()), "2024-06-01T00:00:00Z");
    assert_eq!(iso(timeline.get(1).unwrap()), "2024-06-01T06:00:00Z");
    assert_eq!(iso(timeline.get(19).unwrap()), "2024-06-05T18:00:00Z");
    assert_eq!(iso(timeline.get(20).unwrap()), "2024-06-06T00:00:00Z");
    assert_eq!(iso(timeline.get(24).unwrap()), "2024-06-10T00:00:00Z");
    assert!(timeline.instants().windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn a_layer_without_the_exact_instant_gets_its_nearest_earlier_value_in_its_own_spelling() {
    let days = daily();
    let at = |t: &str| days.value(Selection::At(ms(t)));
    assert_eq!(at("2024-06-03T18:00:00Z").as_deref(), Some("2024-06-03"));
    assert_eq!(at("2024-06-03T00:00:00Z").as_deref(), Some("2024-06-03"));
    assert_eq!(at("2024-07-01T00:00:00Z").as_deref(), Some("2024-06-10"));
    // Before all of its values: its first one.
    assert_eq!(at("2020-01-01T00:00:00Z").as_deref(), Some("2024-06-01"));
    let obs = observations();
    assert_eq!(
        obs.value(Selection::At(ms("2024-06-02T11:59:59Z")))
            .as_deref(),
        Some("2024-06-02T06:00:00Z")
    );
    // Listed instants keep the server's spelling.
    let listed = layer(vec![
        instant("2024-06-01T06:00:00.000Z"),
        instant("2024-06-02T06:00:00.000Z"),
    ]);
    assert_eq!(
        listed
            .value(Selection::At(ms("2024-06-01T23:00:00Z")))
            .as_deref(),
        Some("2024-06-01T06:00:00.000Z")
    );
}

#[test]
fn continuous_ranges_give_the_instant_itself_and_the_end_of_the_range_before_a_gap() {
    let ranges = layer(vec![
        range("2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z", None),
        range("2024-03-01T00:00:00Z", "2024-03-31T00:00:00Z", None),
    ]);
    let at = |t: &str| ranges.value(Selection::At(ms(t)));
    assert_eq!(
        at("2024-01-10T06:30:00Z").as_deref(),
        Some("2024-01-10T06:30:00Z")
    );
    assert_eq!(
        at("2024-02-15T00:00:00Z").as_deref(),
        Some("2024-01-31T00:00:00Z")
    );
    assert_eq!(
        at("2024-03-02T12:00:00Z").as_deref(),
        Some("2024-03-02T12:00:00Z")
    );
    // A date-only range is asked by dates.
    let dates = layer(vec![range("2024-01-01", "2024-12-31", None)]);
    assert_eq!(
        dates
            .value(Selection::At(ms("2024-05-05T13:00:00Z")))
            .as_deref(),
        Some("2024-05-05")
    );
}

#[test]
fn continuous_ranges_are_cut_into_round_steps_on_the_slider() {
    let month = layer(vec![range(
        "2024-01-01T03:17:00Z",
        "2024-01-31T00:00:00Z",
        None,
    )]);
    let timeline = Timeline::new([&month]);
    assert!(timeline.len() <= CONTINUOUS_STEPS as usize + 3);
    assert!(timeline.len() > 20, "{}", timeline.len());
    assert_eq!(iso(timeline.get(0).unwrap()), "2024-01-01T03:17:00Z");
    // Then round instants (every 6 hours here), and the end.
    assert_eq!(iso(timeline.get(1).unwrap()), "2024-01-01T06:00:00Z");
    assert_eq!(iso(timeline.get(2).unwrap()), "2024-01-01T12:00:00Z");
    assert_eq!(
        iso(*timeline.instants().last().unwrap()),
        "2024-01-31T00:00:00Z"
    );
    let decade = layer(vec![range("2000-01-01", "2010-01-01", None)]);
    let years = Timeline::new([&decade]);
    assert_eq!(
        iso(years.get(1).unwrap()),
        "2000-02-01T00:00:00Z",
        "monthly"
    );
}

#[test]
fn sub_daily_steps_are_stepped_one_by_one_and_stop_at_the_ends() {
    let timeline = Timeline::new([&observations()]);
    let start = Selection::At(ms("2024-06-01T00:00:00Z"));
    let next = timeline.step(start, 1, false).unwrap();
    assert_eq!(next.format(), "2024-06-01T06:00:00Z");
    let after = timeline.step(next, 3, false).unwrap();
    assert_eq!(after.format(), "2024-06-02T00:00:00Z");
    assert_eq!(
        timeline.step(start, -1, false),
        Some(start),
        "stops at the start"
    );
    let last = Selection::At(ms("2024-06-05T18:00:00Z"));
    assert_eq!(
        timeline.step(last, 1, false),
        Some(last),
        "stops at the end"
    );
    assert_eq!(timeline.step(last, 1, true), Some(start), "playing loops");
    assert_eq!(timeline.step(start, -1, true), Some(last));
    // An instant between two steps steps from the earlier one.
    let between = Selection::At(ms("2024-06-01T07:00:00Z"));
    assert_eq!(
        timeline.step(between, 1, false).unwrap().format(),
        "2024-06-01T12:00:00Z"
    );
}

#[test]
fn stepping_crosses_period_boundaries_on_the_calendar() {
    // Monthly from January 31st: the day is clamped to each month's length.
    let monthly = layer(vec![range("2024-01-31", "2024-05-31", Some("P1M"))]);
    let timeline = Timeline::new([&monthly]);
    let mut at = Selection::At(ms("2024-01-31"));
    let mut seen = Vec::new();
    for _ in 0..4 {
        at = timeline.step(at, 1, false).unwrap();
        seen.push(monthly.value(at).unwrap());
    }
    assert_eq!(
        seen,
        ["2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"]
    );
    // Two periods one after the other: daily until the 3rd, then every 6 hours.
    let mixed = layer(vec![
        range("2024-06-01", "2024-06-03", Some("P1D")),
        range("2024-06-03T06:00:00Z", "2024-06-03T18:00:00Z", Some("PT6H")),
    ]);
    let timeline = Timeline::new([&mixed]);
    let walk: Vec<String> = (0..timeline.len())
        .map(|i| {
            mixed
                .value(Selection::At(timeline.get(i).unwrap()))
                .unwrap()
        })
        .collect();
    assert_eq!(
        walk,
        [
            "2024-06-01",
            "2024-06-02",
            "2024-06-03",
            "2024-06-03T06:00:00Z",
            "2024-06-03T12:00:00Z",
            "2024-06-03T18:00:00Z"
        ]
    );
}

#[test]
fn a_range_asks_each_layer_for_the_part_it_has() {
    let obs = observations();
    let both = Selection::Between(ms("2024-06-01T03:00:00Z"), ms("2024-06-02T01:00:00Z"));
    assert_eq!(
        obs.value(both).as_deref(),
        Some("2024-06-01T06:00:00Z/2024-06-02T00:00:00Z")
    );
    let beyond = Selection::Between(ms("2024-06-05T00:00:00Z"), ms("2024-07-01T00:00:00Z"));
    assert_eq!(
        obs.value(beyond).as_deref(),
        Some("2024-06-05T00:00:00Z/2024-06-05T18:00:00Z")
    );
    // One value inside: that instant; none: the instant rule at the range's end.
    let one = Selection::Between(ms("2024-06-01T05:00:00Z"), ms("2024-06-01T07:00:00Z"));
    assert_eq!(obs.value(one).as_deref(), Some("2024-06-01T06:00:00Z"));
    let none = Selection::Between(ms("2024-06-01T07:00:00Z"), ms("2024-06-01T08:00:00Z"));
    assert_eq!(obs.value(none).as_deref(), Some("2024-06-01T06:00:00Z"));
    let continuous = layer(vec![range(
        "2024-01-01T00:00:00Z",
        "2024-01-31T00:00:00Z",
        None,
    )]);
    let wide = Selection::Between(ms("2023-12-01T00:00:00Z"), ms("2024-01-02T12:00:00Z"));
    assert_eq!(
        continuous.value(wide).as_deref(),
        Some("2024-01-01T00:00:00Z/2024-01-02T12:00:00Z")
    );
}

#[test]
fn range_mode_widens_an_instant_and_moves_the_range_as_a_whole() {
    let timeline = Timeline::new([&observations()]);
    let wide = timeline.widen(ms("2024-06-01T06:00:00Z")).unwrap();
    assert_eq!(
        wide.format(),
        "2024-06-01T06:00:00Z/2024-06-02T06:00:00Z",
        "the instant and four more steps"
    );
    let moved = timeline.step(wide, 2, false).unwrap();
    assert_eq!(moved.format(), "2024-06-01T18:00:00Z/2024-06-02T18:00:00Z");
    let end = timeline.widen(ms("2024-06-05T18:00:00Z")).unwrap();
    assert_eq!(end.format(), "2024-06-04T18:00:00Z/2024-06-05T18:00:00Z");
    assert_eq!(timeline.step(end, 1, false), Some(end));
    assert_eq!(
        timeline.step(end, 1, true).unwrap().format(),
        "2024-06-01T00:00:00Z/2024-06-02T00:00:00Z",
        "playing loops, keeping the width"
    );
    assert_eq!(
        timeline.window(Selection::At(ms("2024-06-01T06:00:00Z"))),
        (ms("2024-06-01T06:00:00Z"), ms("2024-06-01T12:00:00Z") - 1),
        "an instant covers its step"
    );
    assert_eq!(
        timeline.window(wide),
        (ms("2024-06-01T06:00:00Z"), ms("2024-06-02T06:00:00Z"))
    );
}

#[test]
fn selections_snap_onto_the_slider_and_read_and_write_iso_8601() {
    let timeline = Timeline::new([&observations()]);
    let off = Selection::At(ms("2024-06-03T10:00:00Z"));
    assert_eq!(timeline.snap(off).unwrap().format(), "2024-06-03T06:00:00Z");
    assert_eq!(Timeline::default().snap(off), None);
    assert_eq!(
        Selection::parse("2024-06-02T00:00:00Z/2024-06-01T00:00:00Z"),
        Some(Selection::Between(ms("2024-06-01"), ms("2024-06-02"))),
        "reversed ends are swapped"
    );
    assert_eq!(Selection::parse("yesterday"), None);
    assert_eq!(Selection::parse("2024-06-01/soon"), None);
    assert_eq!(
        Selection::At(ms("2024-06-01T06:00:00.250Z")).format(),
        "2024-06-01T06:00:00.250Z"
    );
}

#[test]
fn very_long_stepped_ranges_are_thinned_to_the_slider_budget() {
    let minutes = layer(vec![range(
        "2024-01-01T00:00:00Z",
        "2024-12-31T23:59:00Z",
        Some("PT1M"),
    )]);
    let timeline = Timeline::new([&minutes]);
    assert!(timeline.len() <= MAX_INSTANTS + 1, "{}", timeline.len());
    assert_eq!(
        iso(*timeline.instants().last().unwrap()),
        "2024-12-31T23:59:00Z"
    );
    // Each layer still gets an exact value of its own.
    let t = timeline.get(1234).unwrap() + 37_000;
    let value = minutes.value(Selection::At(t)).unwrap();
    assert!(value.ends_with(":00Z"), "{value}");
}

#[test]
fn a_chronicle_span_joins_the_union_to_the_second() {
    let span = LayerTimes::span(
        ms("2024-06-01T00:00:00Z") as f64,
        ms("2024-06-02T00:00:00Z") as f64 + 0.4,
    )
    .unwrap();
    let timeline = Timeline::new([&span, &observations()]);
    assert!(timeline.len() > 20);
    assert_eq!(
        span.value(Selection::At(ms("2024-06-01T10:20:30Z")))
            .as_deref(),
        Some("2024-06-01T10:20:30Z")
    );
    assert_eq!(LayerTimes::span(5.0, 1.0), None);
    assert_eq!(LayerTimes::span(f64::NAN, 1.0), None);
}

#[test]
fn unparsable_items_are_left_out_and_a_dimension_of_nothing_is_none() {
    let partly = layer(vec![instant("garbage"), instant("2024-06-01")]);
    assert_eq!(
        partly.value(Selection::At(ms("2030-01-01"))).as_deref(),
        Some("2024-06-01")
    );
    let nothing = TimeDimension {
        default: None,
        extent: vec![instant("never"), range("2024-02-01", "2024-01-01", None)],
    };
    assert_eq!(LayerTimes::from_dimension(&nothing), None);
}

#[test]
fn the_player_steps_at_its_speed_only_once_the_map_has_drawn() {
    let mut player = Player::default();
    assert!(!player.due(10_000.0, true), "paused");
    player.speed = 2.0;
    player.play(1000.0);
    assert!(!player.due(1400.0, true), "a period is 500 ms");
    assert!(player.due(1500.0, true));
    assert!(
        !player.due(1500.0, false),
        "the current time is not drawn yet"
    );
    assert!(!player.due(9000.0, false), "a slow map sets the pace");
    player.stepped(9000.0);
    assert!(!player.due(9100.0, true));
    assert!(player.due(9500.0, true));
    player.pause();
    assert!(!player.due(20_000.0, true));
    assert!(SPEEDS.contains(&player.speed));
}
