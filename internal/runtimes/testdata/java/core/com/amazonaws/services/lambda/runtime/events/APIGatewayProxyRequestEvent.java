package com.amazonaws.services.lambda.runtime.events;

import java.util.List;
import java.util.Map;

/**
 * Test stand-in for aws-lambda-java-events' APIGatewayProxyRequestEvent: a
 * POJO of the same shape (fields, setters, getters, fluent withers).
 */
public class APIGatewayProxyRequestEvent {
    private String resource;
    private String path;
    private String httpMethod;
    private Map<String, String> headers;
    private Map<String, List<String>> multiValueHeaders;
    private Map<String, String> queryStringParameters;
    private Map<String, List<String>> multiValueQueryStringParameters;
    private Map<String, String> pathParameters;
    private Map<String, String> stageVariables;
    private ProxyRequestContext requestContext;
    private String body;
    private Boolean isBase64Encoded;

    public static class ProxyRequestContext {
        private String accountId;
        private String stage;
        private String resourceId;
        private String requestId;
        private String resourcePath;
        private String httpMethod;
        private String apiId;
        private String path;
        private Long requestTimeEpoch;
        private RequestIdentity identity;
        private Map<String, Object> authorizer;

        public String getAccountId() { return accountId; }
        public void setAccountId(String v) { accountId = v; }
        public String getStage() { return stage; }
        public void setStage(String v) { stage = v; }
        public String getResourceId() { return resourceId; }
        public void setResourceId(String v) { resourceId = v; }
        public String getRequestId() { return requestId; }
        public void setRequestId(String v) { requestId = v; }
        public String getResourcePath() { return resourcePath; }
        public void setResourcePath(String v) { resourcePath = v; }
        public String getHttpMethod() { return httpMethod; }
        public void setHttpMethod(String v) { httpMethod = v; }
        public String getApiId() { return apiId; }
        public void setApiId(String v) { apiId = v; }
        public String getPath() { return path; }
        public void setPath(String v) { path = v; }
        public Long getRequestTimeEpoch() { return requestTimeEpoch; }
        public void setRequestTimeEpoch(Long v) { requestTimeEpoch = v; }
        public RequestIdentity getIdentity() { return identity; }
        public void setIdentity(RequestIdentity v) { identity = v; }
        public Map<String, Object> getAuthorizer() { return authorizer; }
        public void setAuthorizer(Map<String, Object> v) { authorizer = v; }
    }

    public static class RequestIdentity {
        private String sourceIp;
        private String userAgent;
        private String accountId;

        public String getSourceIp() { return sourceIp; }
        public void setSourceIp(String v) { sourceIp = v; }
        public String getUserAgent() { return userAgent; }
        public void setUserAgent(String v) { userAgent = v; }
        public String getAccountId() { return accountId; }
        public void setAccountId(String v) { accountId = v; }
    }

    public String getResource() { return resource; }
    public void setResource(String v) { resource = v; }
    public APIGatewayProxyRequestEvent withResource(String v) { resource = v; return this; }
    public String getPath() { return path; }
    public void setPath(String v) { path = v; }
    public String getHttpMethod() { return httpMethod; }
    public void setHttpMethod(String v) { httpMethod = v; }
    public Map<String, String> getHeaders() { return headers; }
    public void setHeaders(Map<String, String> v) { headers = v; }
    public Map<String, List<String>> getMultiValueHeaders() { return multiValueHeaders; }
    public void setMultiValueHeaders(Map<String, List<String>> v) { multiValueHeaders = v; }
    public Map<String, String> getQueryStringParameters() { return queryStringParameters; }
    public void setQueryStringParameters(Map<String, String> v) { queryStringParameters = v; }
    public Map<String, List<String>> getMultiValueQueryStringParameters() { return multiValueQueryStringParameters; }
    public void setMultiValueQueryStringParameters(Map<String, List<String>> v) { multiValueQueryStringParameters = v; }
    public Map<String, String> getPathParameters() { return pathParameters; }
    public void setPathParameters(Map<String, String> v) { pathParameters = v; }
    public Map<String, String> getStageVariables() { return stageVariables; }
    public void setStageVariables(Map<String, String> v) { stageVariables = v; }
    public ProxyRequestContext getRequestContext() { return requestContext; }
    public void setRequestContext(ProxyRequestContext v) { requestContext = v; }
    public String getBody() { return body; }
    public void setBody(String v) { body = v; }
    public Boolean getIsBase64Encoded() { return isBase64Encoded; }
    public void setIsBase64Encoded(Boolean v) { isBase64Encoded = v; }
}
