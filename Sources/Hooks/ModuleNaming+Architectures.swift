/// The renaming tables of every supported architecture, in one place: where each standardized
/// point lives in the Hugging Face (transformers 5) module tree. Adding an architecture is one
/// entry here plus its layer math in Sources/Models.
extension ModuleNaming {
    /// GPT-2 (`GPT2LMHeadModel`): `transformer.h.3.attn`, `transformer.ln_f`, `lm_head`.
    public static let gpt2 = ModuleNaming(
        embedTokens: "transformer.wte", layer: "transformer.h.{i}", attention: "transformer.h.{i}.attn",
        mlp: "transformer.h.{i}.mlp", finalNorm: "transformer.ln_f", head: "lm_head")

    /// Llama, Mistral and Qwen2 (`LlamaForCausalLM`, ...): `model.layers.3.self_attn`,
    /// `model.norm`, `lm_head`; nnsight's envoy paths are `model.model.layers.3`.
    public static let llama = ModuleNaming(
        embedTokens: "model.embed_tokens", layer: "model.layers.{i}", attention: "model.layers.{i}.self_attn",
        mlp: "model.layers.{i}.mlp", finalNorm: "model.norm", head: "lm_head")

    /// GPT-NeoX / Pythia (`GPTNeoXForCausalLM`): `gpt_neox.layers.3.attention`,
    /// `gpt_neox.final_layer_norm`, and the head `lm_head` (transformers 5 renames the
    /// checkpoint's `embed_out` to it).
    public static let gptNeoX = ModuleNaming(
        embedTokens: "gpt_neox.embed_in", layer: "gpt_neox.layers.{i}", attention: "gpt_neox.layers.{i}.attention",
        mlp: "gpt_neox.layers.{i}.mlp", finalNorm: "gpt_neox.final_layer_norm", head: "lm_head")

    /// The table of a config's `model_type`, nil for an architecture SwiftSight does not run.
    public static func forModelType(_ modelType: String) -> ModuleNaming? {
        switch modelType {
        case "gpt2": .gpt2
        case "llama", "mistral", "qwen2": .llama
        case "gpt_neox": .gptNeoX
        default: nil
        }
    }
}
