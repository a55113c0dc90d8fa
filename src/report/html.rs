//! `report.html`: one self-contained page (inline CSS and SVG, no network), drawn from the report.
//!
//! Charts are SVG written here, so the page renders without scripts; the one small script only
//! records that it loaded (`data-rendered` on `<body>`, the number of charts) and any error it
//! sees (`data-errors`), which the browser test reads.

use std::fmt::Write as _;
use std::io::Write;

use super::aggregate::{Estimate, Evidence, Polarity};
use super::Report;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232b;background:#fafbfc}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px} h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #dde2e8;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5b6675;font-size:13px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:10px 14px;min-width:110px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;background:#fff;font-size:13px} td,th{border:1px solid #dde2e8;padding:4px 8px;text-align:left;vertical-align:top}
svg{background:#fff;border:1px solid #dde2e8;border-radius:6px;display:block;margin:6px 0}
svg text{font:12px system-ui,sans-serif;fill:#1d232b}
.evidence{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:8px 12px;margin:6px 0}
.evidence .ctx{color:#3a4350} mark{background:#fff1a8;padding:0 1px}
.neg{color:#b42318} .pos{color:#067647} .unc{color:#5b6675}
.note{font-size:13px;color:#5b6675;max-width:820px}
"#;

const SCRIPT: &str = r#"
(function(){
  var errors=[];
  window.addEventListener('error',function(e){errors.push(String(e.message||e));document.body.setAttribute('data-errors',errors.join(' | '));});
  window.addEventListener('load',function(){
    var charts=document.querySelectorAll('svg.chart');
    var drawn=0; charts.forEach(function(c){ if(c.getBBox && c.getBBox().width>0 && c.querySelectorAll('*').length>3){drawn++;} });
    document.body.setAttribute('data-charts',String(charts.length));
    document.body.setAttribute('data-charts-drawn',String(drawn));
    document.body.setAttribute('data-rendered', drawn===charts.length ? 'ok' : 'incomplete');
    if(!errors.length){document.body.setAttribute('data-errors','');}
  });
})();
"#;

fn color(score: f64) -> &'static str {
    if score <= -0.15 {
        "#d92d20"
    } else if score >= 0.15 {
        "#079455"
    } else {
        "#667085"
    }
}

/// Horizontal dot-and-whisker chart of estimates on [-1, 1].
fn interval_chart(out: &mut String, title: &str, rows: &[(String, &Estimate)]) {
    let (label_w, plot_w, row_h, top) = (230.0, 560.0, 24.0, 30.0);
    let height = top + row_h * rows.len() as f64 + 28.0;
    let x = |v: f64| label_w + (v + 1.0) / 2.0 * plot_w;
    let _ = write!(
        out,
        r#"<svg class="chart" role="img" aria-label="{t}" width="{w}" height="{height}" viewBox="0 0 {w} {height}"><title>{t}</title>"#,
        t = esc(title),
        w = label_w + plot_w + 120.0
    );
    for tick in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        let _ = write!(
            out,
            r##"<line x1="{x}" x2="{x}" y1="{top}" y2="{y2}" stroke="{c}" stroke-width="1"/><text x="{x}" y="{ty}" text-anchor="middle">{tick}</text>"##,
            x = x(tick),
            y2 = height - 22.0,
            c = if tick == 0.0 { "#98a2b3" } else { "#eaecf0" },
            ty = height - 8.0
        );
    }
    let _ = write!(out, r#"<text x="{}" y="18" text-anchor="middle">against ← → favour / negative ← → positive</text>"#, x(0.0));
    for (i, (full, e)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64 + row_h / 2.0;
        let label = if full.chars().count() > 32 { format!("{}…", full.chars().take(31).collect::<String>()) } else { full.clone() };
        let c = color(e.mean);
        let _ = write!(
            out,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><line x1="{a}" x2="{b}" y1="{y}" y2="{y}" stroke="{c}" stroke-width="3" stroke-linecap="round"/><circle cx="{m}" cy="{y}" r="5.5" fill="{c}"><title>{full}: {mean} [{lo}, {hi}], n={n}</title></circle><text x="{nx}" y="{ty}">{mean} (n={n})</text>"#,
            lx = label_w - 8.0,
            ty = y + 4.0,
            label = esc(&label),
            full = esc(full),
            a = x(e.ci95[0]),
            b = x(e.ci95[1]),
            m = x(e.mean),
            mean = e.mean,
            lo = e.ci95[0],
            hi = e.ci95[1],
            n = e.n,
            nx = label_w + plot_w + 8.0,
        );
    }
    out.push_str("</svg>");
}

/// Vertical bars of counts.
fn bar_chart(out: &mut String, title: &str, bars: &[(String, u64)]) {
    let (w, h, pad) = (60.0 * bars.len().max(1) as f64 + 40.0, 200.0, 30.0);
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1) as f64;
    let _ = write!(out, r#"<svg class="chart" role="img" aria-label="{t}" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><title>{t}</title>"#, t = esc(title));
    for (i, (label, n)) in bars.iter().enumerate() {
        let bh = (h - 2.0 * pad - 10.0) * *n as f64 / max;
        let x = 30.0 + 60.0 * i as f64;
        let _ = write!(
            out,
            r##"<rect x="{x}" y="{y}" width="40" height="{bh}" fill="#4e79a7"><title>{label}: {n}</title></rect><text x="{cx}" y="{ly}" text-anchor="middle">{label}</text><text x="{cx}" y="{ny}" text-anchor="middle">{n}</text>"##,
            y = h - pad - bh,
            cx = x + 20.0,
            ly = h - 10.0,
            ny = h - pad - bh - 4.0,
            label = esc(label)
        );
    }
    out.push_str("</svg>");
}

/// Actors on a circle, one arrow per relation, coloured by its polarity.
fn relation_graph(out: &mut String, report: &Report) {
    let relations = &report.aggregates.relations;
    let mut nodes: Vec<(&str, &str)> = Vec::new();
    for r in relations.iter().take(60) {
        for a in [&r.from, &r.to] {
            if !nodes.iter().any(|(id, _)| *id == a.id) {
                nodes.push((&a.id, &a.name));
            }
        }
    }
    let (w, h) = (760.0, 520.0);
    let (cx, cy, radius) = (w / 2.0, h / 2.0, 190.0);
    let pos = |i: usize| {
        let angle = std::f64::consts::TAU * i as f64 / nodes.len().max(1) as f64 - std::f64::consts::FRAC_PI_2;
        (cx + radius * angle.cos(), cy + radius * angle.sin())
    };
    let _ = write!(
        out,
        r##"<svg class="chart" role="img" aria-label="Who criticises or backs whom" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><title>Who criticises or backs whom</title><defs>{m}</defs>"##,
        m = ["crit:#d92d20", "back:#079455", "uncl:#98a2b3"]
            .iter()
            .map(|s| {
                let (id, c) = s.split_once(':').expect("pair");
                format!(r#"<marker id="arrow-{id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{c}"/></marker>"#)
            })
            .collect::<String>()
    );
    for r in relations.iter().take(60) {
        let (Some(i), Some(j)) = (nodes.iter().position(|n| n.0 == r.from.id), nodes.iter().position(|n| n.0 == r.to.id)) else { continue };
        let ((x1, y1), (x2, y2)) = (pos(i), pos(j));
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        // curve to one side so that A→B and B→A stay apart; stop short of the node circle
        let (nx, ny) = (-dy / len, dx / len);
        let (mx, my) = ((x1 + x2) / 2.0 + nx * 30.0, (y1 + y2) / 2.0 + ny * 30.0);
        let (ex, ey) = (x2 - dx / len * 24.0, y2 - dy / len * 24.0);
        let (sx, sy) = (x1 + dx / len * 24.0, y1 + dy / len * 24.0);
        let (id, c) = match r.polarity {
            Polarity::Criticises => ("crit", "#d92d20"),
            Polarity::Backs => ("back", "#079455"),
            Polarity::Unclear => ("uncl", "#98a2b3"),
        };
        let width = 1.5 + (r.statements as f64).ln_1p() * 1.5;
        let _ = write!(
            out,
            r#"<path d="M{sx:.1},{sy:.1} Q{mx:.1},{my:.1} {ex:.1},{ey:.1}" fill="none" stroke="{c}" stroke-width="{width:.1}" marker-end="url(#arrow-{id})"><title>{f} → {t}: stance {s} [{lo}, {hi}], {n} statements</title></path>"#,
            f = esc(&r.from.name),
            t = esc(&r.to.name),
            s = r.stance.mean,
            lo = r.stance.ci95[0],
            hi = r.stance.ci95[1],
            n = r.statements
        );
    }
    for (i, (_, name)) in nodes.iter().enumerate() {
        let (x, y) = pos(i);
        let anchor = if x < cx - 5.0 { "end" } else if x > cx + 5.0 { "start" } else { "middle" };
        let lx = x + if anchor == "end" { -26.0 } else if anchor == "start" { 26.0 } else { 0.0 };
        let ly = y + if anchor == "middle" { if y < cy { -26.0 } else { 32.0 } } else { 4.0 };
        let _ = write!(
            out,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="20" fill="#eef4ff" stroke="#4e79a7" stroke-width="2"/><text x="{lx:.1}" y="{ly:.1}" text-anchor="{anchor}">{n}</text>"##,
            n = esc(name)
        );
    }
    out.push_str("</svg>");
}

/// Tone over time, one line per actor (the five with most statements).
fn timeline_chart(out: &mut String, report: &Report) {
    let timeline = &report.aggregates.timeline;
    let mut periods: Vec<&str> = timeline.iter().map(|p| p.period.as_str()).collect();
    periods.sort_unstable();
    periods.dedup();
    let actors: Vec<&super::aggregate::ActorSummary> = report.aggregates.actors.iter().take(5).collect();
    let (w, h, left, top) = (820.0, 280.0, 50.0, 20.0);
    let plot_w = w - left - 160.0;
    let plot_h = h - top - 40.0;
    let x = |i: usize| left + if periods.len() > 1 { plot_w * i as f64 / (periods.len() - 1) as f64 } else { plot_w / 2.0 };
    let y = |v: f64| top + (1.0 - (v + 1.0) / 2.0) * plot_h;
    let _ = write!(out, r#"<svg class="chart" role="img" aria-label="Tone over time" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><title>Tone over time</title>"#);
    for v in [-1.0, 0.0, 1.0] {
        let _ = write!(out, r##"<line x1="{left}" x2="{r}" y1="{yy}" y2="{yy}" stroke="#eaecf0"/><text x="{tx}" y="{ty}" text-anchor="end">{v}</text>"##, r = left + plot_w, yy = y(v), tx = left - 6.0, ty = y(v) + 4.0);
    }
    for (i, p) in periods.iter().enumerate() {
        if periods.len() <= 12 || i % (periods.len() / 12 + 1) == 0 {
            let _ = write!(out, r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#, x(i), h - 12.0, esc(p));
        }
    }
    const PALETTE: [&str; 5] = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"];
    for (k, a) in actors.iter().enumerate() {
        let points: Vec<String> = periods
            .iter()
            .enumerate()
            .filter_map(|(i, p)| timeline.iter().find(|t| t.period == *p && t.actor == a.actor.id).map(|t| format!("{:.1},{:.1}", x(i), y(t.tone.mean))))
            .collect();
        if points.is_empty() {
            continue;
        }
        let c = PALETTE[k % PALETTE.len()];
        let _ = write!(out, r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2"/>"#, points.join(" "));
        for p in &points {
            let (px, py) = p.split_once(',').expect("pair");
            let _ = write!(out, r#"<circle cx="{px}" cy="{py}" r="3" fill="{c}"/>"#);
        }
        let _ = write!(out, r#"<text x="{}" y="{}" fill="{c}">{}</text>"#, left + plot_w + 10.0, top + 16.0 * (k as f64 + 1.0), esc(&a.actor.name));
    }
    out.push_str("</svg>");
}

/// The context with the statement's own words marked.
fn evidence_html(out: &mut String, e: &Evidence, label: &str) {
    let ctx: Vec<char> = e.context.text.chars().collect();
    let (s, t) = (e.content.start.saturating_sub(e.context.start).min(ctx.len()), e.content.end.saturating_sub(e.context.start).min(ctx.len()));
    let part = |a: usize, b: usize| esc(&ctx[a..b].iter().collect::<String>());
    let _ = write!(
        out,
        r#"<div class="evidence"><span class="{cls}">{label} {score:+}</span> · <span class="meta">{id} #{idx}</span>{act}<div class="ctx">{a}<mark>{b}</mark>{c}</div></div>"#,
        cls = if e.score <= -0.15 { "neg" } else if e.score >= 0.15 { "pos" } else { "unc" },
        score = e.score,
        id = esc(&e.article_id),
        idx = e.index,
        act = e.act.as_ref().map_or(String::new(), |v| format!(r#" · <span class="meta">the speaker's own act: “{}”</span>"#, esc(v))),
        a = part(0, s),
        b = part(s, t),
        c = part(t, ctx.len())
    );
}

/// What a target's chart left out, and why: the relevance model's P(about the target).
fn not_about_html(out: &mut String, left: &super::aggregate::NotAbout, report: &Report) {
    let threshold = report.run.config["relevance"]["threshold"].as_f64();
    let why = match threshold {
        Some(t) => format!("P(about the target) below {t}"),
        None => "not about the target".to_owned(),
    };
    let _ = write!(
        out,
        r#"<details class="left-out"><summary>Left out of this chart: {n} statement{s} ({why}). The closest calls:</summary><table><tr><th>speaker</th><th>P(about)</th><th>statement</th></tr>"#,
        n = left.statements,
        s = if left.statements == 1 { "" } else { "s" },
    );
    for l in &left.closest {
        let name = l
            .actor
            .as_ref()
            .map(|id| report.aggregates.actors.iter().find(|a| &a.actor.id == id).map_or(id.clone(), |a| a.actor.name.clone()))
            .unwrap_or_else(|| "unattributed".into());
        let p = l.relevance.map_or_else(|| "—".to_owned(), |p| format!("{p:.2}"));
        let _ = write!(out, "<tr><td>{}</td><td>{p}</td><td>{}</td></tr>", esc(&name), esc(&l.content.text));
    }
    out.push_str("</table></details>");
}

pub fn write(w: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    let mut out = String::new();
    let t = &report.totals;
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Standpoint report</title><style>{STYLE}</style></head><body data-rendered="no"><main><h1>Standpoint report</h1><div class="meta">{gen} {ver} · schema {sv} · targets: {targets}</div>"#,
        gen = esc(&report.run.generator),
        ver = esc(&report.run.version),
        sv = esc(&report.schema_version),
        targets = if report.targets.is_empty() { "none (tone only)".to_owned() } else { report.targets.iter().map(|t| format!("“{}”", esc(t))).collect::<Vec<_>>().join(", ") }
    );
    let _ = write!(out, r#"<div class="cards">"#);
    for (label, n) in [("articles", t.articles), ("scored", t.scored), ("failed", t.failed), ("statements", t.statements), ("attributed", t.attributed_statements), ("actors", t.actors)] {
        let _ = write!(out, r#"<div class="card"><b>{n}</b>{label}</div>"#);
    }
    out.push_str("</div>");
    out.push_str(r#"<p class="note">Scores run from −1 to 1: stance is P(favour) − P(against) toward the target, tone is P(positive) − P(negative). Dots are the mean over an actor's statements; bars are 95% intervals that count both disagreement between statements and the model's uncertainty in each (see the README). Few statements mean wide bars: read them before the dots.</p>"#);

    let actors: Vec<&super::aggregate::ActorSummary> = report.aggregates.actors.iter().take(25).collect();
    for (k, target) in report.targets.iter().enumerate() {
        let _ = write!(out, "<h2>Stance toward “{}”</h2>", esc(target));
        let rows: Vec<(String, &Estimate)> =
            actors.iter().filter(|a| a.stance[k].estimate.n > 0).map(|a| (a.actor.name.clone(), &a.stance[k].estimate)).collect();
        if rows.is_empty() {
            out.push_str(r#"<p class="note">No attributed statement is about this target.</p>"#);
        } else {
            interval_chart(&mut out, &format!("Stance toward {target}"), &rows);
        }
        if let Some(left) = report.aggregates.not_about.iter().find(|n| &n.target == target).filter(|n| n.statements > 0) {
            not_about_html(&mut out, left, report);
        }
    }
    out.push_str("<h2>Tone by actor</h2>");
    let rows: Vec<(String, &Estimate)> = actors.iter().map(|a| (a.actor.name.clone(), &a.tone)).collect();
    interval_chart(&mut out, "Tone by actor", &rows);

    out.push_str("<h2>Who criticises or backs whom</h2>");
    if report.aggregates.relations.is_empty() {
        out.push_str(r#"<p class="note">No statement addressed or named another known actor.</p>"#);
    } else {
        out.push_str(r#"<p class="note">An arrow from A to B: A's statements address or name B and, with a relation model, express an attitude toward it; statements that only name B in passing are left out (last column). Red: A's stance toward B is negative (the whole 95% interval below zero); green: positive; grey: unclear. Thicker arrows, more statements.</p>"#);
        relation_graph(&mut out, report);
        out.push_str("<table><tr><th>from</th><th>to</th><th>statements</th><th>stance</th><th>tone</th><th>reading</th><th>left out: no attitude toward B</th></tr>");
        for r in report.aggregates.relations.iter().take(40) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} [{}, {}]</td><td>{}</td><td>{:?}</td><td>{}</td></tr>",
                esc(&r.from.name),
                esc(&r.to.name),
                r.statements,
                r.stance.mean,
                r.stance.ci95[0],
                r.stance.ci95[1],
                r.tone.mean,
                r.polarity,
                r.left_out
            );
        }
        out.push_str("</table>");
    }

    out.push_str("<h2>Evidence</h2>");
    for a in &actors {
        let subs = if a.subs.is_empty() { String::new() } else { format!(" — via {}", esc(&a.subs.keys().cloned().collect::<Vec<_>>().join(", "))) };
        let _ = write!(out, "<h3>{} <span class=\"meta\">({} statements in {} articles{subs})</span></h3>", esc(&a.actor.name), a.statements, a.articles);
        for (s, target) in a.stance.iter().zip(&report.targets) {
            for e in &s.evidence {
                evidence_html(&mut out, e, &format!("stance toward “{}”", esc(target)));
            }
        }
        if report.targets.is_empty() {
            for e in &a.tone_evidence {
                evidence_html(&mut out, e, "tone");
            }
        }
    }

    out.push_str("<h2>Languages</h2>");
    let bars: Vec<(String, u64)> = report.languages.iter().map(|l| (l.lang.clone(), l.statements)).collect();
    bar_chart(&mut out, "Statements per language", &bars);
    out.push_str("<table><tr><th>language</th><th>articles</th><th>statements</th></tr>");
    for l in &report.languages {
        let _ = write!(out, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", esc(&l.lang), l.articles, l.statements);
    }
    out.push_str("</table>");

    if !report.aggregates.timeline.is_empty() {
        out.push_str("<h2>Over time</h2>");
        timeline_chart(&mut out, report);
    }

    if !report.failed.is_empty() {
        let _ = write!(out, "<h2>Articles not scored ({})</h2><table><tr><th>#</th><th>id</th><th>origin</th><th>reason</th></tr>", report.failed.len());
        for f in report.failed.iter().take(500) {
            let _ = write!(out, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", f.seq, esc(f.id.as_deref().unwrap_or("—")), esc(&f.origin), esc(&f.reason));
        }
        out.push_str("</table>");
        if report.failed.len() > 500 {
            out.push_str(r#"<p class="note">The full list is in report.json ("failed").</p>"#);
        }
    }
    let _ = write!(out, "</main><script>{SCRIPT}</script></body></html>\n");
    w.write_all(out.as_bytes())
}
