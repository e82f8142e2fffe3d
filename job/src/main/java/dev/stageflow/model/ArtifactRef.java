package dev.stageflow.model;

import java.util.Objects;

/**
 * A claim check for an artifact in the store: where it is and how to verify it. The bytes never
 * travel through Flink; only this reference does.
 */
public class ArtifactRef {

    /** What the artifact is within its stage, e.g. {@code latent}, {@code image}. */
    public String name;
    /** URI of the artifact directory (holding the chunks and {@code manifest.json}). */
    public String uri;
    /** SHA-256 of the raw (uncompressed) bytes, hex. */
    public String sha256;
    public long rawSize;
    public long storedSize;
    public String codec;
    public int chunks;
    public String mediaType;

    public ArtifactRef() {}

    public ArtifactRef(
            String name,
            String uri,
            String sha256,
            long rawSize,
            long storedSize,
            String codec,
            int chunks,
            String mediaType) {
        this.name = name;
        this.uri = uri;
        this.sha256 = sha256;
        this.rawSize = rawSize;
        this.storedSize = storedSize;
        this.codec = codec;
        this.chunks = chunks;
        this.mediaType = mediaType;
    }

    /** The same artifact under another name (the store keeps one copy of identical content). */
    public ArtifactRef withName(String otherName) {
        return new ArtifactRef(otherName, uri, sha256, rawSize, storedSize, codec, chunks, mediaType);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ArtifactRef)) {
            return false;
        }
        ArtifactRef that = (ArtifactRef) o;
        return rawSize == that.rawSize
                && storedSize == that.storedSize
                && chunks == that.chunks
                && Objects.equals(name, that.name)
                && Objects.equals(uri, that.uri)
                && Objects.equals(sha256, that.sha256)
                && Objects.equals(codec, that.codec)
                && Objects.equals(mediaType, that.mediaType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, uri, sha256, rawSize, storedSize, codec, chunks, mediaType);
    }

    @Override
    public String toString() {
        return name + "@" + uri + " (sha256=" + sha256 + ", " + rawSize + " B raw, " + codec + ")";
    }
}
