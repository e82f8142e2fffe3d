package dev.stageflow.inference.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stageflow.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLIP tokenizer on a small vocabulary in the layout of a diffusers {@code tokenizer/} directory. */
class ClipTokenizerTest {

    /** Merges that build a few words, in rank order, as in CLIP's merges.txt. */
    private static final List<String> MERGES = List.of(
            "a t</w>", "c at</w>", "p h", "o t", "ph ot", "phot o</w>", "o f</w>", "i t</w>",
            "h e", "l l", "he ll", "hell o</w>", "w o", "r l", "wo rl", "worl d</w>", "' s</w>");

    @TempDir
    Path dir;

    private ClipTokenizer tokenizer(String padToken, int maxLength) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        // The byte alphabet as CLIP orders it (printable bytes as themselves first, so "!" is 0,
        // then the others as U+0100...), then the same with </w>, then one entry per merge.
        List<String> alphabet = new ArrayList<>();
        int shifted = 0;
        List<String> others = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) {
                alphabet.add(String.valueOf((char) b));
            } else {
                others.add(String.valueOf((char) (256 + shifted++)));
            }
        }
        alphabet.addAll(others);
        alphabet.forEach(s -> vocab.put(s, vocab.size()));
        alphabet.forEach(s -> vocab.put(s + "</w>", vocab.size()));
        MERGES.forEach(m -> vocab.putIfAbsent(m.replace(" ", ""), vocab.size()));
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        Files.writeString(dir.resolve("vocab.json"), Json.MAPPER.writeValueAsString(vocab));
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", MERGES) + "\n");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"bos_token\": {\"content\": \"<|startoftext|>\"},"
                + " \"eos_token\": \"<|endoftext|>\", \"pad_token\": \"" + padToken + "\", \"unk_token\": \"<|endoftext|>\"}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": " + maxLength
                + ", \"do_lower_case\": true, \"tokenizer_class\": \"CLIPTokenizer\"}");
        return ClipTokenizer.fromDirectory(dir);
    }

    @Test
    void splitsWordsAsClipDoes() throws IOException {
        ClipTokenizer tokenizer = tokenizer("<|endoftext|>", 77);
        // CLIP's known tokens for this prompt: a</w> photo</w> of</w> a</w> cat</w>.
        assertThat(tokenizer.tokens("a photo of a cat")).containsExactly("a</w>", "photo</w>", "of</w>", "a</w>", "cat</w>");
        // Lowercased, whitespace collapsed, punctuation runs and contractions apart, digits one by one.
        assertThat(tokenizer.tokens("  Hello,\tWORLD!!  it's 2024"))
                .containsExactly("hello</w>", ",</w>", "world</w>", "!", "!</w>", "it</w>", "'s</w>",
                        "2</w>", "0</w>", "2</w>", "4</w>");
    }

    @Test
    void keepsAccentsAndMapsEveryByte() throws IOException {
        ClipTokenizer tokenizer = tokenizer("<|endoftext|>", 77);
        // é is two UTF-8 bytes, C3 A9, both printable in GPT-2's byte alphabet: Ã and ©.
        assertThat(tokenizer.tokens("Café")).containsExactly("c", "a", "f", "Ã", "©</w>");
        // A control character is dropped, a CJK character stands alone: 猫 is E7 8C AB, and 8C is
        // not printable, so it maps past U+00FF.
        assertThat(tokenizer.tokens("a\u0007t猫cat")).containsExactly("at</w>", "ç", "Į", "«</w>", "cat</w>");
    }

    @Test
    void padsWithThePadTokenOfTheConfig(@TempDir Path other) throws IOException {
        ClipTokenizer eosPadded = tokenizer("<|endoftext|>", 77);
        int[] ids = eosPadded.encode("a cat");
        int bos = ids[0];
        assertThat(ids).hasSize(77);
        int eos = ids[3];
        assertThat(Arrays.stream(ids, 3, 77)).allMatch(id -> id == eos);

        ClipTokenizer bangPadded = tokenizer("!", 77);
        int[] bang = bangPadded.encode("a cat");
        assertThat(Arrays.copyOf(bang, 4)).containsExactly(Arrays.copyOf(ids, 4));
        assertThat(bang[0]).isEqualTo(bos);
        assertThat(Arrays.stream(bang, 4, 77)).allMatch(id -> id == '!' - '!');
    }

    @Test
    void truncatesToTheModelLengthKeepingTheEndToken() throws IOException {
        ClipTokenizer tokenizer = tokenizer("<|endoftext|>", 8);
        int[] ids = tokenizer.encode("a cat a cat a cat a cat a cat");
        int[] full = tokenizer("<|endoftext|>", 77).encode("a cat a cat a cat a cat a cat");
        assertThat(ids).hasSize(8);
        assertThat(Arrays.copyOf(ids, 7)).containsExactly(Arrays.copyOf(full, 7));
        assertThat(ids[7]).isEqualTo(full[11]);
    }

    @Test
    void specialTokensInTheTextAreTheirIds() throws IOException {
        ClipTokenizer tokenizer = tokenizer("<|endoftext|>", 77);
        int[] ids = tokenizer.encode("cat<|endoftext|>cat");
        assertThat(ids[2]).isEqualTo(ids[4]).isEqualTo(ids[76]);
        assertThat(ids[1]).isEqualTo(ids[3]);
    }

    @Test
    void refusesADirectoryThatDoesNotFitNamingTheFile() throws IOException {
        tokenizer("<|endoftext|>", 77);
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"<pad>\"}");
        assertThatThrownBy(() -> ClipTokenizer.fromDirectory(dir)).hasMessageContaining("pad_token")
                .hasMessageContaining("'<pad>'").hasMessageContaining("vocab.json");
        Files.delete(dir.resolve("merges.txt"));
        assertThatThrownBy(() -> ClipTokenizer.fromDirectory(dir)).hasMessageContaining("merges.txt");
    }
}
