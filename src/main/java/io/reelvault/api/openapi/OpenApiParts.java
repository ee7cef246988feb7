package io.reelvault.api.openapi;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;

/** Small pieces of the OpenAPI model that the parts of the document share. */
final class OpenApiParts {
    private OpenApiParts() {}

    /** A string schema; {@code description} may be null. */
    static Schema string(String description) {
        return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
    }

    /** A response header of the given type. */
    static Header header(String description, SchemaType type) {
        return OASFactory.createHeader()
                .description(description)
                .schema(OASFactory.createSchema().addType(type));
    }
}
