//! `standpoint quotes`: the statements of one article, a JSON line each.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::args::{FinderArgs, ModelArgs, TextArgs};
use super::Outcome;

#[derive(Args)]
pub struct QuotesArgs {
    /// Plain-text article file, or `-` for standard input.
    #[arg(default_value = "-")]
    input: PathBuf,
    /// Language code (default: detected).
    #[arg(long)]
    lang: Option<String>,
    #[command(flatten)]
    finder: FinderArgs,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    model: ModelArgs,
}

pub fn run(args: QuotesArgs) -> anyhow::Result<Outcome> {
    let text = if args.input == Path::new("-") {
        std::io::read_to_string(std::io::stdin().lock())?
    } else {
        std::fs::read_to_string(&args.input).with_context(|| format!("reading {}", args.input.display()))?
    };
    let (lexicons, dict) = args.text.load()?;
    // The statement stages as `score` runs them (the rules need no model; the tagger does).
    let origin = args.input.display().to_string();
    let article =
        standpoint::corpus::Article { lang: args.lang.clone(), ..standpoint::corpus::Article::from_text(origin.clone(), text, origin) };
    let mut chunk = standpoint::pipeline::analyse_chunk(vec![standpoint::corpus::Item::Article(article)], &lexicons, &dict, &[]);
    if let Some((tagger, _)) = args.finder.load(|| args.model.dir(), args.model.precision(), &[])? {
        chunk = standpoint::pipeline::relearn(chunk, &tagger, args.finder.finder(), &lexicons, &dict, &[]);
    }
    if let Some(why) = chunk.failure {
        anyhow::bail!(why);
    }
    let (Some(standpoint::corpus::Item::Article(article)), Some(Some(analysis))) = (chunk.items.first(), chunk.analyses.into_iter().next())
    else {
        unreachable!("one article in, one analysis out")
    };
    let text = article.text.as_str();
    let index = standpoint::text::CharIndex::new(text);
    let mut out = std::io::stdout().lock();
    for (s, a) in analysis.found.iter().map(|f| (&f.statement, &f.actor)) {
        let part = |span: Option<standpoint::text::ByteSpan>| {
            span.map(|sp| serde_json::json!({"span": index.char_span(sp), "text": sp.slice(text)}))
        };
        let line = serde_json::json!({
            "kind": s.kind,
            "speaker": part(s.speaker),
            "actor": a.as_ref().map(|a| serde_json::json!({"id": a.actor.id, "name": a.actor.name, "kind": a.actor.kind, "sub": a.actor.sub, "role": a.actor.role, "parent": a.actor.parent, "via": a.via})),
            "cue": part(s.cue),
            "target": part(s.target),
            "content": part(Some(s.content)),
            "confidence": s.confidence,
        });
        writeln!(out, "{line}")?;
    }
    Ok(Outcome::Success)
}
