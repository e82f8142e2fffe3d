package dev.stageflow.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the report does to untrusted text before it goes into the page. */
class HtmlTest {

    @Test
    void escapesMarkupAndQuotesSoAScriptPromptStaysText() {
        assertThat(Html.escape("<script>window.__xss = 1</script> & \"fish\" 'n' chips"))
                .isEqualTo("&lt;script&gt;window.__xss = 1&lt;/script&gt; &amp; &quot;fish&quot; &#39;n&#39; chips");
    }

    @Test
    void escapesAnAmpersandThatAlreadyLooksLikeAReference() {
        assertThat(Html.escape("&lt; &#60;")).isEqualTo("&amp;lt; &amp;#60;");
    }

    @Test
    void showsControlCharactersAsTheirPicturesButKeepsWhitespace() {
        assertThat(Html.escape("bell\u0007 nul\u0000 esc\u001b del\u007f\ttab\nline\r"))
                .isEqualTo("bell\u2407 nul\u2400 esc\u241b del\u2421\ttab\nline\r");
    }

    @Test
    void keepsOtherTextAsItIsAndNullIsEmpty() {
        assertThat(Html.escape("夜の雨の中の市場 — café ✓")).isEqualTo("夜の雨の中の市場 — café ✓");
        assertThat(Html.escape(null)).isEmpty();
    }
}
