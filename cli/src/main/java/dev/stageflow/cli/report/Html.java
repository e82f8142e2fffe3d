package dev.stageflow.cli.report;

/**
 * Text made safe to put into HTML. Prompt texts and dead letters' raw lines come from whoever
 * submitted them, so everything a report shows that it did not write itself goes through {@link
 * #escape}, in element content and in quoted attribute values alike.
 */
public final class Html {

    /** Where Unicode's "control pictures" (␀ … ␟) start: U+2400 pictures U+0000. */
    private static final int CONTROL_PICTURES = 0x2400;
    private static final char DELETE = 0x7f;
    private static final char DELETE_PICTURE = '\u2421';

    private Html() {}

    /**
     * {@code text} with {@code & < > " '} as character references, and the control characters (C0
     * but tab, line feed and carriage return; DEL) as their control pictures, so that what a
     * {@code CONTROL_CHARACTERS} dead letter is about can be seen. {@code null} is empty.
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                case '\t', '\n', '\r' -> escaped.append(c);
                case DELETE -> escaped.append(DELETE_PICTURE);
                default -> escaped.append(c < 0x20 ? (char) (CONTROL_PICTURES + c) : c);
            }
        }
        return escaped.toString();
    }
}
