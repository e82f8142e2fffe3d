package dev.stageflow.tools.deploy;

import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;

/** The checkout the tests run in ({@code stageflow.root}) and the versions its main pom.xml declares. */
record Checkout(Path root, String projectVersion, String flinkVersion, String djlVersion) {

    static Checkout current() {
        Path root = Path.of(System.getProperty("stageflow.root"));
        try {
            Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(root.resolve("pom.xml").toFile());
            var xpath = XPathFactory.newInstance().newXPath();
            return new Checkout(root,
                    xpath.evaluate("/project/version", pom),
                    xpath.evaluate("/project/properties/flink.version", pom),
                    xpath.evaluate("/project/properties/djl.version", pom));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the versions of " + root.resolve("pom.xml"), e);
        }
    }

    Path path(String relative) {
        return root.resolve(relative);
    }
}
