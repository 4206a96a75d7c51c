// Generated from the core by core/tests/generated.rs: do not edit.
// The core's constants, readable before its WebAssembly is loaded.
export const version = "0.1.0";
export const defaultBaseUrl = "https://services.antonnia.com/conversations/v2/api/v1";
export const defaultTotalTimeoutMs = 120000;
export const knownEventTypes = ["message.created","session.created","session.transferred","session.finished","app.connection.created"];
export const signatureHeaders = ["webhook-id","webhook-timestamp","webhook-signature"];
export const callNames = ["sessions.create","sessions.get","sessions.update","sessions.transfer","sessions.finish","sessions.reply","sessions.search","sessions.schedule","messages.create","messages.get","messages.update","messages.search","agents.create","agents.get","agents.update","agents.delete","agents.search","survey_submissions.get","survey_submissions.reply","survey_submissions.cancel"];
export const contentFieldsToSend = {"audio":["url"],"file":["url","mime_type","name"],"function_call":["id","name","input"],"function_result":["id","name","output"],"image":["url"],"text":["text"],"thought":["thought"],"video":["url"]};
export const whatsappErrors = [[130429,"Cloud API throughput limit reached"],[130472,"Recipient is part of an experiment"],[131000,"Unknown error"],[131026,"Recipient cannot receive this message"],[131042,"Business eligibility or payment problem"],[131045,"Phone number registration problem"],[131047,"More than 24 hours since the user's last message: a template is required"],[131048,"Spam rate limit reached"],[131049,"Not delivered to keep the ecosystem healthy"],[131050,"The user stopped marketing messages"],[131051,"Unsupported message type"],[131052,"Media download failed"],[131053,"Media upload failed"],[131056,"Too many messages to the same recipient"],[131057,"Business account is in maintenance mode"]];
