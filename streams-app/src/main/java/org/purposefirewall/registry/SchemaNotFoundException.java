package org.purposefirewall.registry;

/** No schema has the id, or the schema is not registered under the subject. Registry error code 40403. */
public class SchemaNotFoundException extends SchemaRegistryException {

    public static final int ERROR_CODE = 40403;

    public SchemaNotFoundException(String message) {
        super(ERROR_CODE, message);
    }
}
