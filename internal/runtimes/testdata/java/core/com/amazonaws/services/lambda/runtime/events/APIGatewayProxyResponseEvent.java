package com.amazonaws.services.lambda.runtime.events;

import java.util.List;
import java.util.Map;

/**
 * Test stand-in for aws-lambda-java-events' APIGatewayProxyResponseEvent: a
 * POJO of the same shape (fields, setters, getters, fluent withers).
 */
public class APIGatewayProxyResponseEvent implements Cloneable {
    private Integer statusCode;
    private Map<String, String> headers;
    private Map<String, List<String>> multiValueHeaders;
    private String body;
    private Boolean isBase64Encoded;

    public Integer getStatusCode() { return statusCode; }
    public void setStatusCode(Integer v) { statusCode = v; }
    public APIGatewayProxyResponseEvent withStatusCode(Integer v) { statusCode = v; return this; }
    public Map<String, String> getHeaders() { return headers; }
    public void setHeaders(Map<String, String> v) { headers = v; }
    public APIGatewayProxyResponseEvent withHeaders(Map<String, String> v) { headers = v; return this; }
    public Map<String, List<String>> getMultiValueHeaders() { return multiValueHeaders; }
    public void setMultiValueHeaders(Map<String, List<String>> v) { multiValueHeaders = v; }
    public String getBody() { return body; }
    public void setBody(String v) { body = v; }
    public APIGatewayProxyResponseEvent withBody(String v) { body = v; return this; }
    public Boolean getIsBase64Encoded() { return isBase64Encoded; }
    public void setIsBase64Encoded(Boolean v) { isBase64Encoded = v; }

    @Override
    public APIGatewayProxyResponseEvent clone() {
        try {
            return (APIGatewayProxyResponseEvent) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
