//! The outputs of `terraform/modules/stream_analytics/query.asaql`, each as DataFusion SQL
//! beside the Stream Analytics SQL it stands for, and where the Azure job writes it.
//!
//! Each query reads the job's state as tables: `pv` and `st` (the events read and not yet
//! forgotten, with `t`, the event time in Unix milliseconds after the tolerance policy, and
//! `seq`, the order they were read in), `vip` (the reference data) and `seen` (the users
//! whose first view of an open 60-minute interval was written). It returns the rows whose
//! slice, a minute of event time `(lo, hi]` keyed by the column `k`, is being closed.

/// One minute, in milliseconds: the event-time slice each output file holds.
pub const SLICE_MS: i64 = 60_000;

/// `TumblingWindow(minute, 5)`.
pub const HTTP_WINDOW_MS: i64 = 5 * 60_000;

/// `ISFIRST(minute, 60)`.
pub const FIRST_VIEW_MS: i64 = 60 * 60_000;

/// `DATEDIFF(minute, pv, st) BETWEEN 0 AND 10`, read as a duration (the answer keys' reading,
/// `playground_model::keys::asa::unhappy_pair`).
pub const UNHAPPY_MS: i64 = 10 * 60_000;

/// Which streams an output reads: its slices close when all of them have passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Pageviews only.
    Pageviews,
    /// Stars only.
    Stars,
    /// Both (the join).
    Both,
}

/// An output of the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Output {
    /// `[bronze-pageviews]`.
    BronzePageviews,
    /// `[bronze-stars]`.
    BronzeStars,
    /// `[silver-http-methods]`.
    HttpMethods,
    /// `[silver-latency-alerts]`.
    LatencyAlerts,
    /// `[silver-vip-pageviews]`.
    VipPageviews,
    /// `[silver-unhappy-views]`.
    UnhappyViews,
    /// `[silver-first-views]`.
    FirstViews,
}

impl Output {
    /// Every output, in query order.
    pub const ALL: [Output; 7] = [
        Output::BronzePageviews,
        Output::BronzeStars,
        Output::HttpMethods,
        Output::LatencyAlerts,
        Output::VipPageviews,
        Output::UnhappyViews,
        Output::FirstViews,
    ];

    /// The name in query.asaql.
    pub fn name(self) -> &'static str {
        match self {
            Output::BronzePageviews => "bronze-pageviews",
            Output::BronzeStars => "bronze-stars",
            Output::HttpMethods => "silver-http-methods",
            Output::LatencyAlerts => "silver-latency-alerts",
            Output::VipPageviews => "silver-vip-pageviews",
            Output::UnhappyViews => "silver-unhappy-views",
            Output::FirstViews => "silver-first-views",
        }
    }

    /// Container and folder, as `local.outputs` of the Stream Analytics module writes them
    /// (`{container}/{path}/{date}/{time}`; a test compares with main.tf).
    pub fn location(self) -> (&'static str, &'static str) {
        match self {
            Output::BronzePageviews => ("bronze", "stream-analytics/pageviews"),
            Output::BronzeStars => ("bronze", "stream-analytics/stars"),
            Output::HttpMethods => ("silver", "stream-analytics/http_methods_5min"),
            Output::LatencyAlerts => ("silver", "stream-analytics/latency_alerts"),
            Output::VipPageviews => ("silver", "stream-analytics/vip_pageviews"),
            Output::UnhappyViews => ("silver", "stream-analytics/unhappy_user_pageviews"),
            Output::FirstViews => ("silver", "stream-analytics/first_pageview_per_hour"),
        }
    }

    /// The streams it reads.
    pub fn reads(self) -> Reads {
        match self {
            Output::BronzeStars => Reads::Stars,
            Output::UnhappyViews => Reads::Both,
            _ => Reads::Pageviews,
        }
    }

    /// How much later than its key time a row is final: a view joins the ratings of the ten
    /// minutes after it.
    pub fn lag_ms(self) -> i64 {
        match self {
            Output::UnhappyViews => UNHAPPY_MS,
            _ => 0,
        }
    }

    /// How far before a slice's start the events it needs go back: a 5-minute window ending
    /// in the slice holds events up to 5 minutes before its end.
    pub fn reach_ms(self) -> i64 {
        match self {
            Output::HttpMethods => HTTP_WINDOW_MS,
            _ => 0,
        }
    }

    /// The order of the rows in a file, so that a rewrite writes the same bytes.
    pub fn order_by(self) -> &'static str {
        match self {
            Output::HttpMethods => "k, http_method",
            Output::UnhappyViews => "k, seq, seq2",
            _ => "k, seq",
        }
    }

    /// The query for slices `(lo, hi]` of key time. `threshold` is `${high_latency_ms}`.
    pub fn sql(self, lo: i64, hi: i64, threshold: u32) -> String {
        let pv_in = format!("pv.t > {lo} AND pv.t <= {hi}");
        match self {
            // SELECT user_id, http_method, uri, client_ip, user_agent, latency, event_time, event_id
            // INTO [bronze-pageviews] FROM pv
            Output::BronzePageviews => format!(
                "SELECT user_id, http_method, uri, client_ip, user_agent, latency, event_time, event_id, \
                        t AS k, seq FROM pv WHERE {pv_in}"
            ),
            // SELECT user_id, stars, event_time, event_id INTO [bronze-stars] FROM st
            Output::BronzeStars => format!(
                "SELECT user_id, stars, event_time, event_id, t AS k, seq \
                 FROM st WHERE st.t > {lo} AND st.t <= {hi}"
            ),
            // SELECT http_method, COUNT(*) AS pageviews, System.Timestamp() AS window_end
            // INTO [silver-http-methods] FROM pv GROUP BY http_method, TumblingWindow(minute, 5)
            //
            // A window (end - 5 min, end] holds an event on its end (`tumbling_window_end`).
            // System.Timestamp() is an instant: written as a UTC timestamp.
            Output::HttpMethods => format!(
                "SELECT http_method, COUNT(*) AS pageviews, \
                        arrow_cast(w, 'Timestamp(Millisecond, Some(\"UTC\"))') AS window_end, \
                        w AS k \
                 FROM (SELECT http_method, \
                              ((t + {width} - 1) / {width}) * {width} AS w FROM pv) windows \
                 WHERE w > {lo} AND w <= {hi} \
                 GROUP BY http_method, w",
                width = HTTP_WINDOW_MS
            ),
            // SELECT user_id, http_method, uri, client_ip, latency, event_time, event_id
            // INTO [silver-latency-alerts] FROM pv WHERE latency > ${high_latency_ms}
            Output::LatencyAlerts => format!(
                "SELECT user_id, http_method, uri, client_ip, latency, event_time, event_id, t AS k, seq \
                 FROM pv WHERE latency > {threshold} AND {pv_in}"
            ),
            // SELECT pv.user_id, pv.http_method, pv.uri, pv.latency, pv.event_time, pv.event_id
            // INTO [silver-vip-pageviews] FROM pv JOIN [vip] v ON pv.user_id = v.id
            Output::VipPageviews => format!(
                "SELECT pv.user_id, pv.http_method, pv.uri, pv.latency, pv.event_time, pv.event_id, \
                        pv.t AS k, pv.seq \
                 FROM pv JOIN vip v ON pv.user_id = v.id WHERE {pv_in}"
            ),
            // SELECT pv.user_id, pv.uri, pv.latency, pv.event_time, pv.event_id, st.stars,
            //        st.event_time AS stars_time
            // INTO [silver-unhappy-views] FROM pv
            // JOIN st ON pv.user_id = st.user_id AND DATEDIFF(minute, pv, st) BETWEEN 0 AND 10
            // WHERE st.stars < 3
            Output::UnhappyViews => format!(
                "SELECT pv.user_id, pv.uri, pv.latency, pv.event_time, pv.event_id, st.stars, \
                        st.event_time AS stars_time, pv.t AS k, pv.seq AS seq, st.seq AS seq2 \
                 FROM pv JOIN st ON pv.user_id = st.user_id \
                                AND st.t >= pv.t AND st.t <= pv.t + {UNHAPPY_MS} \
                 WHERE st.stars < 3 AND {pv_in}"
            ),
            // SELECT user_id, uri, event_time, event_id INTO [silver-first-views] FROM pv
            // WHERE ISFIRST(minute, 60) OVER (PARTITION BY user_id) = 1
            //
            // Intervals aligned as tumbling windows, (start, end]; equal times in arrival order.
            Output::FirstViews => format!(
                "SELECT user_id, uri, event_time, event_id, t AS k, seq FROM ( \
                    SELECT user_id, uri, event_time, event_id, t, seq, h, \
                           ROW_NUMBER() OVER (PARTITION BY user_id, h ORDER BY t, seq) AS n \
                    FROM (SELECT *, ((t + {width} - 1) / {width}) * {width} AS h \
                          FROM pv WHERE {pv_in}) v \
                 ) f \
                 WHERE n = 1 AND NOT EXISTS \
                    (SELECT 1 FROM seen WHERE seen.user_id = f.user_id AND seen.h = f.h)",
                width = FIRST_VIEW_MS
            ),
        }
    }
}

/// The users whose first view of an interval has been written, after slices `(lo, hi]` of
/// [`Output::FirstViews`]: those of intervals still open after `hi` only, which bounds it by
/// one interval's users.
pub fn seen_after(lo: i64, hi: i64) -> String {
    format!(
        "SELECT DISTINCT user_id, h FROM ( \
            SELECT user_id, h FROM seen \
            UNION ALL \
            SELECT user_id, ((t + {width} - 1) / {width}) * {width} AS h \
            FROM pv WHERE pv.t > {lo} AND pv.t <= {hi} \
         ) s WHERE h > {hi}",
        width = FIRST_VIEW_MS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The outputs are where the Terraform job writes them: main.tf's `local.outputs` lines
    /// (`"bronze-pageviews" = { container = ..., path = ... }`), and every output of
    /// query.asaql is computed.
    #[test]
    fn every_output_is_the_terraform_jobs_with_its_location() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../terraform/modules/stream_analytics"
        );
        let main_tf = std::fs::read_to_string(format!("{dir}/main.tf")).expect("main.tf");
        let query = std::fs::read_to_string(format!("{dir}/query.asaql")).expect("query.asaql");
        for output in Output::ALL {
            let line = main_tf
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("\"{}\"", output.name())))
                .unwrap_or_else(|| panic!("main.tf has no output {}", output.name()));
            let (container, path) = output.location();
            assert!(
                line.contains(&format!("\"{container}\"")) && line.contains(&format!("\"{path}\"")),
                "{}: main.tf says {line}",
                output.name()
            );
            assert!(
                query.contains(&format!("INTO [{}]", output.name())),
                "{}",
                output.name()
            );
        }
        assert_eq!(
            query.matches("INTO [").count(),
            Output::ALL.len(),
            "query.asaql has an output this job does not compute"
        );
    }

    #[test]
    fn a_window_holds_an_event_on_its_end_and_the_threshold_is_the_settings() {
        assert!(
            Output::HttpMethods
                .sql(0, 1, 7)
                .contains("((t + 300000 - 1) / 300000) * 300000")
        );
        assert!(Output::LatencyAlerts.sql(0, 1, 1234).contains("latency > 1234"));
        assert!(
            Output::UnhappyViews
                .sql(0, 1, 0)
                .contains("st.t <= pv.t + 600000")
        );
    }
}
