"""Decoders for our captioner: Show-and-Tell LSTM, the same with a GRU, and a
Show-Attend-and-Tell soft-attention LSTM. All three share one step interface so the
Node runtime runs any of them with the same beam search:

    init(features[N,L,D]) -> h[N,H], c[N,H], keys[N,L,A]
    step(token[B], h, c, features[B,L,D], keys[B,L,A]) -> logprobs[B,V], h, c, alpha[B,L]
"""
import re
from collections import Counter

import torch
import torch.nn.functional as F
from torch import nn

PAD, BOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ["<pad>", "<start>", "<end>", "<unk>"]


def tokenize(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def build_vocab(captions, min_count):
    counts = Counter(w for c in captions for w in tokenize(c))
    words = sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))
    return SPECIALS + words


class NoisyOrConcepts(nn.Module):
    """Visual concepts (Fang et al. 2015): p(word | image) = 1 - prod over regions (1 - p(word | region)),
    a per-region two-layer classifier combined by noisy-OR (multiple-instance learning)."""

    def __init__(self, dim, words, hidden=512):
        super().__init__()
        self.region = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Dropout(0.3), nn.Linear(hidden, words))
        # Start each region near "absent" (p ~ 0.0025): 64 regions at p = 0.5 would saturate the
        # noisy-OR at 1 and leave no gradient.
        nn.init.constant_(self.region[-1].bias, -6.0)

    def forward(self, regions):
        log_not = F.logsigmoid(-self.region(regions))  # log(1 - p) per region and word
        return 1 - torch.exp(log_not.sum(1))


class Decoder(nn.Module):
    def __init__(self, architecture, vocab_size, feature_dim=768, hidden=512, embed=256, attention=256, dropout=0.5,
                 concepts=0):
        super().__init__()
        self.architecture = architecture
        self.hidden = hidden
        self.attention_dim = attention
        self.embed = nn.Embedding(vocab_size, embed)
        # With `concepts` words, a frozen concept detector's probabilities join the mean region in
        # the initial state (LSTM-A style); it is part of the module, so init.onnx computes them too.
        self.concept_head = NoisyOrConcepts(feature_dim, concepts) if concepts else None
        if self.concept_head is not None:
            self.concept_head.requires_grad_(False)
        self.init_h = nn.Linear(feature_dim + concepts, hidden)
        self.init_c = nn.Linear(feature_dim + concepts, hidden)
        self.dropout = nn.Dropout(dropout)
        if architecture == "att-lstm":
            self.key_proj = nn.Linear(feature_dim, attention)
            self.query_proj = nn.Linear(hidden, attention)
            self.score = nn.Linear(attention, 1)
            self.gate = nn.Linear(hidden, feature_dim)
            self.cell = nn.LSTMCell(embed + feature_dim, hidden)
            self.out_ctx = nn.Linear(feature_dim, embed)
        elif architecture == "lstm":
            self.image_in = nn.Linear(feature_dim, embed)
            self.cell = nn.LSTMCell(embed * 2, hidden)
        elif architecture == "gru":
            self.image_in = nn.Linear(feature_dim, embed)
            self.cell = nn.GRUCell(embed * 2, hidden)
        else:
            raise ValueError(f"unknown architecture {architecture!r} (att-lstm, lstm, gru)")
        self.out_h = nn.Linear(hidden, embed)
        self.out = nn.Linear(embed, vocab_size)

    def train(self, mode=True):
        super().train(mode)
        if self.concept_head is not None:
            self.concept_head.eval()  # frozen: no dropout
        return self

    def init(self, features):
        mean = features.mean(1)
        start = mean if self.concept_head is None else torch.cat([mean, self.concept_head(features)], 1)
        h = torch.tanh(self.init_h(start))
        c = torch.tanh(self.init_c(start))
        if self.architecture == "att-lstm":
            keys = self.key_proj(features)
        else:  # the pooled image vector is fed at every step (Show and Tell style, as "keys")
            keys = self.image_in(mean).unsqueeze(1)
        return h, c, keys

    def step(self, token, h, c, features, keys, group=1):
        """One decoding step. In training each image carries `group` captions, so features and
        keys have one row per image and token/h/c one row per caption (image-major)."""
        emb = self.embed(token)
        if self.architecture == "att-lstm":
            images = features.shape[0]
            query = self.query_proj(h).view(images, group, 1, -1)
            scores = self.score(torch.tanh(keys.unsqueeze(1) + query)).squeeze(3)  # [I, group, L]
            alpha = torch.softmax(scores, dim=2)
            context = torch.bmm(alpha, features).reshape(images * group, -1)
            alpha = alpha.reshape(images * group, -1)
            context = torch.sigmoid(self.gate(h)) * context
            h, c = self.cell(torch.cat([emb, context], 1), (h, c))
            deep = emb + self.out_h(self.dropout(h)) + self.out_ctx(context)
        else:
            image = keys[:, 0].repeat_interleave(group, 0) if group > 1 else keys[:, 0]
            x = torch.cat([emb, image], 1)
            if self.architecture == "gru":
                h = self.cell(x, h)
            else:
                h, c = self.cell(x, (h, c))
            deep = emb + self.out_h(self.dropout(h))
            alpha = torch.full((token.shape[0], features.shape[1]), 1.0 / features.shape[1], device=features.device)
        logits = self.out(self.dropout(torch.tanh(deep)))
        return logits, h, c, alpha

    def forward(self, features, tokens, group):
        """Teacher forcing. features: [I,L,D], one row per image; tokens: [I*group,T], image-major,
        starting with <start>. Returns logits [B,T-1,V] and alphas [B,T-1,L]."""
        h, c, keys = self.init(features)
        h, c = h.repeat_interleave(group, 0), c.repeat_interleave(group, 0)
        logits, alphas = [], []
        for t in range(tokens.shape[1] - 1):
            out, h, c, alpha = self.step(tokens[:, t], h, c, features, keys, group)
            logits.append(out)
            alphas.append(alpha)
        return torch.stack(logits, 1), torch.stack(alphas, 1)


class ExportedInit(nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, features):
        return self.decoder.init(features)


class ExportedStep(nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, token, h, c, features, keys):
        logits, h, c, alpha = self.decoder.step(token, h, c, features, keys)
        return F.log_softmax(logits, dim=1), h, c, alpha


def caption_loss(logits, alphas, tokens, att_reg):
    """Training loss of one batch (teacher forcing; tokens start with <start>): cross-entropy with
    label smoothing 0.1, plus, with att_reg > 0, the doubly stochastic attention penalty (every grid
    cell gets attention somewhere in the sentence). Returns (loss, number of target tokens)."""
    target = tokens[:, 1:]
    mask = (target != PAD).float()
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=PAD, label_smoothing=0.1)
    if att_reg > 0:
        coverage = (alphas * mask.unsqueeze(2)).sum(1)
        loss = loss + att_reg * ((1.0 - coverage) ** 2).mean()
    return loss, mask.sum().item()


def words_of(seq, vocab):
    """Token ids -> words, up to the first <end> or <pad>."""
    out = []
    for t in seq:
        if t in (EOS, PAD):
            break
        out.append(vocab[t])
    return out


@torch.no_grad()
def greedy(decoder, features, max_len=20):
    h, c, keys = decoder.init(features)
    token = torch.full((features.shape[0],), BOS, dtype=torch.long)
    out = []
    done = torch.zeros(features.shape[0], dtype=torch.bool)
    for _ in range(max_len):
        logits, h, c, _ = decoder.step(token, h, c, features, keys)
        logits[:, UNK] = -1e9
        token = logits.argmax(1)
        token = torch.where(done, torch.full_like(token, PAD), token)
        out.append(token)
        done |= token == EOS
        if done.all():
            break
    return torch.stack(out, 1)


def load_exported_decoder(model_dir):
    """Rebuilds the PyTorch decoder from an exported captioner (init.onnx, step.onnx, vocab.json), so a
    shipped model can be trained further after its run directory is gone. The fp16 weights come back
    as they ship (widened to fp32); the two weights the exporter turned into MatMul constants are
    matched by their transposed shape. Returns (decoder, vocab)."""
    import json

    import onnx
    from onnx import numpy_helper

    config = json.loads((model_dir / "config.json").read_text())
    if config["architecture"] != "att-lstm":
        raise SystemExit(f"{model_dir}: only att-lstm decoders can be rebuilt from ONNX (got {config['architecture']})")
    vocab = json.loads((model_dir / "vocab.json").read_text())
    arrays = {}
    for part in ("init.onnx", "step.onnx"):
        for init in onnx.load(str(model_dir / part)).graph.initializer:
            arrays[init.name.removesuffix("__fp16")] = numpy_helper.to_array(init).astype("float32")
    decoder = Decoder(config["architecture"], len(vocab), feature_dim=arrays["decoder.gate.weight"].shape[0],
                      hidden=config["hiddenSize"])
    state = decoder.state_dict()
    loaded = {k.removeprefix("decoder."): torch.from_numpy(v) for k, v in arrays.items() if k.startswith("decoder.")}
    for key in set(state) - set(loaded):
        candidates = [k for k, v in arrays.items() if not k.startswith("decoder.") and v.T.shape == tuple(state[key].shape)]
        assert len(candidates) == 1, f"{key}: {candidates}"
        loaded[key] = torch.from_numpy(arrays[candidates[0]].T.copy())
    decoder.load_state_dict(loaded)
    return decoder, vocab
