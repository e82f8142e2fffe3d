package dev.stageflow.inference.sd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stageflow.model.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP byte-level BPE tokenizer of a diffusers pipeline's {@code tokenizer/} directory, as
 * transformers' {@code CLIPTokenizer} runs it without ftfy installed (what the diffusers and
 * Optimum pipelines do by default): special tokens are split off first; the rest is cleaned as
 * its {@code BasicTokenizer} does (control characters dropped, whitespace to spaces, CJK
 * characters spaced, NFC, lowercased, no accent stripping, no punctuation split), cut by CLIP's
 * pattern, each piece's UTF-8 bytes mapped to GPT-2's printable byte alphabet and merged by rank,
 * the last symbol of a word marked {@code </w>}. The ids are {@code [bos] + tokens[:max − 2] +
 * [eos]} padded with the pad token (the eos for SD 1.x, "!" for SD 2.x and SD-Turbo) to {@code
 * model_max_length} (77).
 *
 * <p>Immutable after construction apart from its merge cache, so one instance serves one thread.
 */
public final class ClipTokenizer {

    public static final String VOCAB_FILE = "vocab.json";
    public static final String MERGES_FILE = "merges.txt";
    public static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";
    public static final String CONFIG_FILE = "tokenizer_config.json";

    /** transformers reads only the first 49152 − 256 − 2 merges of CLIP's merges.txt. */
    private static final int MAX_MERGES = 49152 - 256 - 2;
    private static final String END_OF_WORD = "</w>";
    private static final Pattern PIECES = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final String[] BYTE_TO_UNICODE = byteToUnicode();

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    private final int maxLength;
    private final int bos;
    private final int eos;
    private final int pad;
    private final int unk;
    private final Pattern specialTokens;
    private final Map<String, Integer> specialIds = new HashMap<>();
    private final Map<String, String[]> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String[]> eldest) {
            return size() > 10_000;
        }
    };

    ClipTokenizer(Map<String, Integer> vocab, List<String> merges, int maxLength, String bosToken,
            String eosToken, String padToken, String unkToken, String source) {
        this.vocab = vocab;
        this.mergeRanks = new HashMap<>();
        for (int i = 0; i < merges.size() && i < MAX_MERGES; i++) {
            mergeRanks.putIfAbsent(merges.get(i), i);
        }
        this.maxLength = maxLength;
        this.bos = id(bosToken, "bos_token", source);
        this.eos = id(eosToken, "eos_token", source);
        this.pad = id(padToken, "pad_token", source);
        this.unk = id(unkToken, "unk_token", source);
        List<String> quoted = new ArrayList<>();
        for (String token : new String[] {bosToken, eosToken, padToken, unkToken}) {
            if (token.length() > 1 && specialIds.putIfAbsent(token, vocab.get(token)) == null) {
                quoted.add(Pattern.quote(token));
            }
        }
        // Longest first, so that no special token is cut by one that is its prefix.
        quoted.sort((a, b) -> b.length() - a.length());
        this.specialTokens = Pattern.compile(String.join("|", quoted));
        if (maxLength < 2) {
            throw new IllegalArgumentException(source + ": model_max_length must be at least 2, got " + maxLength);
        }
    }

    /** The tokenizer of a diffusers {@code tokenizer/} directory; a message names the file that does not fit. */
    public static ClipTokenizer fromDirectory(Path dir) {
        Path vocabFile = dir.resolve(VOCAB_FILE);
        Path mergesFile = dir.resolve(MERGES_FILE);
        Path configFile = dir.resolve(CONFIG_FILE);
        Path specialFile = dir.resolve(SPECIAL_TOKENS_FILE);
        Map<String, Integer> vocab = new HashMap<>();
        JsonNode vocabJson = SdPipelineFiles.readObject(vocabFile);
        vocabJson.fields().forEachRemaining(entry -> {
            if (!entry.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(vocabFile + ": the id of '" + entry.getKey() + "' is not an integer");
            }
            vocab.put(entry.getKey(), entry.getValue().intValue());
        });
        List<String> merges = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) {
                    continue;
                }
                if (line.split(" ").length != 2) {
                    throw new IllegalArgumentException(mergesFile + ": line " + (i + 1) + " is not two symbols: '"
                            + line + "'");
                }
                merges.add(line);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + mergesFile + ": " + e, e);
        }
        JsonNode config = SdPipelineFiles.readObject(configFile);
        JsonNode special = Files.isRegularFile(specialFile)
                ? SdPipelineFiles.readObject(specialFile)
                : Json.MAPPER.createObjectNode();
        int maxLength = config.path("model_max_length").asInt(77);
        String source = dir.toString();
        return new ClipTokenizer(vocab, merges, maxLength,
                token(special, config, "bos_token", "<|startoftext|>"),
                token(special, config, "eos_token", "<|endoftext|>"),
                token(special, config, "pad_token", "<|endoftext|>"),
                token(special, config, "unk_token", "<|endoftext|>"), source);
    }

    /** Always {@link #maxLength()} ids. */
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        Matcher special = specialTokens.matcher(text);
        int start = 0;
        while (special.find()) {
            appendText(text.substring(start, special.start()), ids);
            ids.add(specialIds.get(special.group()));
            start = special.end();
        }
        appendText(text.substring(start), ids);
        int[] out = new int[maxLength];
        Arrays.fill(out, pad);
        out[0] = bos;
        int kept = Math.min(ids.size(), maxLength - 2);
        for (int i = 0; i < kept; i++) {
            out[i + 1] = ids.get(i);
        }
        out[kept + 1] = eos;
        return out;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The BPE tokens of a text without special tokens, for tests and diagnostics. */
    List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher pieces = PIECES.matcher(basicClean(text));
        while (pieces.find()) {
            tokens.addAll(Arrays.asList(bpe(byteEncode(pieces.group()))));
        }
        return tokens;
    }

    private void appendText(String text, List<Integer> ids) {
        for (String token : tokens(text)) {
            ids.add(vocab.getOrDefault(token, unk));
        }
    }

    /**
     * transformers' {@code BasicTokenizer(strip_accents=False, do_split_on_punc=False)} followed by
     * joining its tokens with single spaces.
     */
    static String basicClean(String text) {
        StringBuilder cleaned = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD) {
                return;
            }
            if (isWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isControl(cp)) {
                return;
            } else if (isCjk(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
        StringBuilder joined = new StringBuilder(normalized.length());
        for (String token : normalized.split("[ \\t\\n\\r\\u000B\\f\\p{Z}\\u001C-\\u001F\\u0085]+")) {
            if (!token.isEmpty()) {
                if (joined.length() > 0) {
                    joined.append(' ');
                }
                joined.append(token.toLowerCase(Locale.ROOT));
            }
        }
        return joined.toString();
    }

    private static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** Python's unicodedata categories C*: Cc, Cf, Cn, Co, Cs. */
    private static boolean isControl(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /** The CJK Unified Ideographs blocks BERT's tokenizer spaces out. */
    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    private static String byteEncode(String piece) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
            encoded.append(BYTE_TO_UNICODE[b & 0xFF]);
        }
        return encoded.toString();
    }

    /** Merges the lowest-ranked adjacent pair until none is in the merges. */
    private String[] bpe(String word) {
        String[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> symbols = new ArrayList<>();
        word.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
        symbols.set(symbols.size() - 1, symbols.get(symbols.size() - 1) + END_OF_WORD);
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            int best = -1;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = mergeRanks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            String first = symbols.get(best);
            String second = symbols.get(best + 1);
            List<String> merged = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols.clear();
            symbols.addAll(merged);
        }
        String[] result = symbols.toArray(String[]::new);
        cache.put(word, result);
        return result;
    }

    /**
     * The 256 one-character symbols of the byte alphabet in the order CLIP's vocabulary lists them:
     * the bytes that stand for themselves, then the others (mapped from U+0100 on).
     */
    public static List<String> byteAlphabet() {
        List<String> themselves = new ArrayList<>();
        List<String> shifted = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            (BYTE_TO_UNICODE[b].charAt(0) == b ? themselves : shifted).add(BYTE_TO_UNICODE[b]);
        }
        themselves.addAll(shifted);
        return themselves;
    }

    /** GPT-2's reversible map of the 256 bytes to printable characters. */
    private static String[] byteToUnicode() {
        String[] map = new String[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? String.valueOf((char) b) : String.valueOf((char) (256 + next++));
        }
        return map;
    }

    private int id(String token, String field, String source) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": the " + field + " '" + token + "' is not in " + VOCAB_FILE);
        }
        return id;
    }

    private static String token(JsonNode special, JsonNode config, String field, String defaultValue) {
        JsonNode node = special.hasNonNull(field) ? special.get(field) : config.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        return node.isObject() ? node.path("content").asText(defaultValue) : node.asText();
    }
}
