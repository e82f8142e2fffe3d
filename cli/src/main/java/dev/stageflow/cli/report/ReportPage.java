package dev.stageflow.cli.report;

import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.DeadLetter;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.StageOutcome;
import dev.stageflow.stage.ImageGenerateStage;
import dev.stageflow.store.ArtifactStore;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The HTML gallery of a run: its figures, a card per committed prompt with its images side by side,
 * and its dead letters. The page is one file that needs nothing else: thumbnails are {@code data:}
 * URIs and the style sheet is inline. Its Content-Security-Policy allows only those, so no script
 * runs and nothing is fetched even if some text slipped through unescaped; every text the run did
 * not write itself is escaped anyway ({@link Html}).
 *
 * <p>Cards come in promptId order and dead letters in the order they arrived, each list cut at the
 * limit, so a large run gives a page a browser still opens; the figures always count every row.
 */
public final class ReportPage {

    /** Long side of the thumbnails, in pixels. */
    public static final int THUMBNAIL_SIDE = 192;

    private static final String POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

    private static final String STYLE = String.join("\n",
            "body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1280px;padding:16px 24px;"
                    + "color:#1f2328;background:#f6f8fa}",
            "h1{font-size:22px;margin:0}h2{font-size:17px;margin:28px 0 10px}",
            ".dir{color:#59636e;margin:2px 0 14px;word-break:break-all}",
            ".figures{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}",
            "table{border-collapse:collapse;background:#fff}",
            "th,td{border:1px solid #d1d9e0;padding:3px 8px;text-align:left;vertical-align:top}",
            "th{background:#eef1f4;font-weight:600}th.part{font-weight:normal;padding-left:22px}",
            "td.n{text-align:right;font-variant-numeric:tabular-nums}",
            ".note{color:#9a6700;margin:0 0 10px}",
            ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(430px,1fr));gap:14px}",
            ".card{background:#fff;border:1px solid #d1d9e0;border-radius:8px;padding:12px}",
            ".card h3{font:600 13px ui-monospace,monospace;margin:0 0 4px;word-break:break-all}",
            ".text{margin:0 0 4px;white-space:pre-wrap;overflow-wrap:anywhere}",
            ".params{color:#59636e;margin:0 0 10px}",
            ".images{display:flex;gap:10px;margin-bottom:10px}",
            "figure{margin:0}figcaption{color:#59636e;font-size:12px;text-align:center}",
            "figure img,.unreadable{display:block;width:" + THUMBNAIL_SIDE + "px;height:" + THUMBNAIL_SIDE
                    + "px;box-sizing:border-box}",
            "figure img{object-fit:contain;background:#eef1f4}",
            ".unreadable{padding:8px;background:#ffebe9;color:#a40e26;font-size:11px;overflow:auto;"
                    + "overflow-wrap:anywhere}",
            ".stages{font-size:12px}.hit{color:#1a7f37;font-weight:600}",
            ".raw{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}");

    private final PrintWriter page;
    private final ArtifactStore store;

    private ReportPage(PrintWriter page, ArtifactStore store) {
        this.page = page;
        this.store = store;
    }

    /**
     * Writes the report of the run in {@code outputDir} that committed {@code results} and {@code
     * deadLetters} to {@code page}, reading images through {@code store}; at most {@code limit}
     * cards and dead letters.
     */
    public static void write(PrintWriter page, ArtifactStore store, URI outputDir, List<GenerationResult> results,
            List<DeadLetter> deadLetters, int limit) {
        ReportPage report = new ReportPage(page, store);
        report.head(outputDir);
        report.figures(outputDir, RunFigures.of(results, deadLetters));
        report.cards(results.stream().sorted(Comparator.comparing(result -> result.promptId)).toList(), limit);
        report.deadLetters(deadLetters.stream()
                .sorted(Comparator.comparingLong((DeadLetter deadLetter) -> deadLetter.at)
                        .thenComparing(deadLetter -> deadLetter.raw))
                .toList(), limit);
        page.println("</body>\n</html>");
    }

    private void head(URI outputDir) {
        page.println("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
        page.println("<meta http-equiv=\"Content-Security-Policy\" content=\"" + POLICY + "\">");
        page.println("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        page.println("<title>stageflow report: " + Html.escape(outputDir.toString()) + "</title>");
        page.println("<style>\n" + STYLE + "\n</style>\n</head>\n<body>");
    }

    private void figures(URI outputDir, RunFigures figures) {
        page.println("<header>\n<h1>stageflow run</h1>");
        page.println("<p class=\"dir\">" + Html.escape(outputDir.toString()) + "</p>");
        page.println("<div class=\"figures\">\n<table class=\"totals\">");
        row("<th>Prompts committed</th>", figures.committed());
        if (figures.distinct() != figures.committed()) {
            row("<th class=\"part\">distinct promptIds</th>", figures.distinct());
        }
        row("<th>Dead letters</th>", figures.deadLetters());
        figures.deadLettersByReason()
                .forEach((reason, count) -> row("<th class=\"part\">" + Html.escape(reason) + "</th>", count));
        page.println("</table>\n<table class=\"per-stage\">");
        page.println("<tr><th>stage</th><th>cache hits</th><th>total ms</th><th>avg ms/prompt</th></tr>");
        for (RunFigures.StageFigures stage : figures.stages()) {
            page.printf(Locale.ROOT, "<tr><td>%s</td><td class=\"n\">%d/%d</td><td class=\"n\">%d</td>"
                    + "<td class=\"n\">%.1f</td></tr>%n", Html.escape(stage.stage()), stage.cacheHits(),
                    stage.prompts(), stage.totalMillis(), stage.averageMillis());
        }
        page.println("</table>\n</div>\n</header>");
    }

    private void row(String header, long count) {
        page.printf("<tr>%s<td class=\"n\">%d</td></tr>%n", header, count);
    }

    private void cards(List<GenerationResult> sorted, int limit) {
        page.println("<main>\n<h2 id=\"prompts\">Prompts (" + sorted.size() + ")</h2>");
        leftOut(sorted.size(), limit, "prompts, the first by promptId");
        page.println("<div class=\"cards\">");
        sorted.subList(0, Math.min(limit, sorted.size())).forEach(this::card);
        page.println("</div>");
    }

    private void card(GenerationResult result) {
        page.println("<article class=\"card\" data-prompt-id=\"" + Html.escape(result.promptId) + "\">");
        page.println("<h3>" + Html.escape(result.promptId) + "</h3>");
        page.println("<p class=\"text\">" + Html.escape(result.text) + "</p>");
        page.printf("<p class=\"params\">style %s · seed %d · %d×%d · %d steps</p>%n",
                Html.escape(result.style), result.seed, result.width, result.height, result.steps);
        page.println("<div class=\"images\">");
        figure("generated", generatedImage(result));
        figure("enhanced", Optional.ofNullable(result.image));
        page.println("</div>");
        page.println("<table class=\"stages\"><tr><th>stage</th><th>model version</th><th>ms</th><th>cache</th></tr>");
        for (ModelStage stage : ModelStage.values()) {
            StageOutcome outcome = stage.outcomeOf(result);
            page.printf("<tr><td>%s</td><td>%s</td><td class=\"n\">%d</td>%s</tr>%n", Html.escape(stage.id()),
                    Html.escape(outcome.modelVersion), outcome.wallMillis,
                    outcome.cacheHit ? "<td class=\"hit\">✓ hit</td>" : "<td>miss</td>");
        }
        page.println("</table>\n</article>");
    }

    private static Optional<ArtifactRef> generatedImage(GenerationResult result) {
        return Arrays.stream(result.generate.artifacts)
                .filter(ref -> ImageGenerateStage.IMAGE.equals(ref.name))
                .findFirst();
    }

    /** The image's thumbnail or, in its place, what kept it from being shown. */
    private void figure(String caption, Optional<ArtifactRef> ref) {
        page.println("<figure>");
        ArtifactRead read = ref.map(image -> ArtifactRead.of(store, image))
                .orElseGet(() -> new ArtifactRead(null, "The result row names no " + caption + " image"));
        String size = "";
        if (!read.verified()) {
            unreadable(read.failure());
        } else {
            try {
                Thumbnail thumbnail = Thumbnail.of(read.bytes(), THUMBNAIL_SIDE);
                page.printf("<img src=\"%s\" width=\"%d\" height=\"%d\" alt=\"%s image\">%n", thumbnail.dataUri(),
                        thumbnail.width(), thumbnail.height(), caption);
                size = " " + thumbnail.sourceWidth() + "×" + thumbnail.sourceHeight();
            } catch (IllegalArgumentException notAnImage) {
                unreadable("Artifact " + ref.get().uri + " is " + ArtifactRead.describe(notAnImage));
            }
        }
        page.println("<figcaption>" + caption + size + "</figcaption>\n</figure>");
    }

    private void unreadable(String failure) {
        page.println("<div class=\"unreadable\">cannot show this image: " + Html.escape(failure) + "</div>");
    }

    private void deadLetters(List<DeadLetter> sorted, int limit) {
        page.println("<h2 id=\"dead-letters\">Dead letters (" + sorted.size() + ")</h2>");
        if (sorted.isEmpty()) {
            page.println("<p>None: every input line was a valid prompt.</p>\n</main>");
            return;
        }
        leftOut(sorted.size(), limit, "dead letters, the first by arrival");
        page.println("<table class=\"dead-letters\"><tr><th>reason</th><th>detail</th><th>raw line</th></tr>");
        for (DeadLetter deadLetter : sorted.subList(0, Math.min(limit, sorted.size()))) {
            page.printf("<tr><td>%s</td><td>%s</td><td class=\"raw\">%s%s</td></tr>%n", Html.escape(deadLetter.reason),
                    Html.escape(deadLetter.detail), Html.escape(deadLetter.raw),
                    deadLetter.rawTruncated ? " <em>(truncated)</em>" : "");
        }
        page.println("</table>\n</main>");
    }

    private void leftOut(int total, int limit, String what) {
        if (total > limit) {
            page.printf("<p class=\"note\">Showing %d of %d %s; %d left out (--limit).</p>%n",
                    limit, total, what, total - limit);
        }
    }
}
