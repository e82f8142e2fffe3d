package dev.stageflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stageflow.model.ArtifactRef;
import dev.stageflow.model.GenerationResult;
import dev.stageflow.model.Json;
import dev.stageflow.model.PromptRecord;
import dev.stageflow.model.PromptRequest;
import dev.stageflow.model.StageOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * What a record waiting in image-enhance's queue is made of, in Flink's serialized bytes: the record
 * of a committed result as it stood before image-enhance (request, embedding or its claim checks, the
 * encode and generate outcomes), rebuilt and serialized with the serializer Flink uses for it, whole and without each part.
 */
final class RecordAnatomy {

    private static final TypeSerializer<PromptRecord> SERIALIZER =
            TypeInformation.of(PromptRecord.class).createSerializer(new SerializerConfigImpl());

    private RecordAnatomy() {}

    /** The parts of the record of {@code result} with embeddings of {@code floats} floats ({@code negative}: two of them). */
    static ObjectNode of(GenerationResult result, int floats, boolean negative) throws IOException {
        PromptRecord record = beforeEnhance(result, floats, negative);
        long whole = bytes(record);
        PromptRecord noEmbedding = beforeEnhance(result, floats, negative);
        noEmbedding.embedding = null;
        noEmbedding.negativeEmbedding = null;
        PromptRecord noReferences = beforeEnhance(result, floats, negative);
        noReferences.generate = copyWithout(noReferences.generate);
        noReferences.encode = copyWithout(noReferences.encode);
        long uriBytes = 0;
        for (StageOutcome outcome : new StageOutcome[] {result.encode, result.generate}) {
            for (ArtifactRef ref : outcome.artifacts) {
                uriBytes += ref.uri.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("recordBytes", whole);
        node.put("embeddingsClaimChecked", claimChecked(result));
        node.put("embeddingBytes", whole - bytes(noEmbedding));
        node.put("artifactReferenceBytes", whole - bytes(noReferences));
        node.put("artifactReferences", result.encode.artifacts.length + result.generate.artifacts.length);
        node.put("artifactUriBytes", uriBytes);
        node.put("exampleArtifactUri", result.generate.artifacts[0].uri);
        return node;
    }

    private static PromptRecord beforeEnhance(GenerationResult result, int floats, boolean negative) {
        PromptRequest request = new PromptRequest(result.promptId, result.text, result.seed, result.width, result.height,
                result.steps, result.style, result.submittedAt);
        // Claim-checked embeddings are the encode outcome's artifacts, and the record carries no floats.
        boolean claimChecked = claimChecked(result);
        float[] embedding = claimChecked ? null : new float[negative ? floats / 2 : floats];
        float[] negativeEmbedding = claimChecked || !negative ? null : embedding.clone();
        PromptRecord record = new PromptRecord(request, embedding, negativeEmbedding, result.encode);
        record.generate = result.generate;
        return record;
    }

    /** Whether {@code result}'s prompt carried its embedding as a claim check, an artifact of text-encode. */
    private static boolean claimChecked(GenerationResult result) {
        return result.encode.artifactOrNull(PromptRecord.EMBEDDING) != null;
    }

    private static StageOutcome copyWithout(StageOutcome outcome) {
        return new StageOutcome(outcome.stage, outcome.model, outcome.modelVersion, outcome.cacheHit, outcome.wallMillis,
                new ArtifactRef[0]);
    }

    private static long bytes(PromptRecord record) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(4096);
        SERIALIZER.serialize(record, out);
        return out.length();
    }
}
