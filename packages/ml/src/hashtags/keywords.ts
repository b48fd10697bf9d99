import { shippedBlocklist } from './blocklist';
import type { HashtagContext, HashtagGenerator } from './types';

/** Words that never make a hashtag: function words and the fillers captions are made of. */
const STOPWORDS = new Set(
  `a an the and or but of in on at to for from by with without into onto over under up down out off
  through across along around near behind beside between beneath above below against toward towards
  is are was were be been being am has have had do does did doing while as than then there here this
  that these those it its it's his her hers their theirs them they he she him we us our you your i me my
  who whom which what where when why how some any each every all both other another such own same
  one two three four five six several many few more most much lot lots very just also still only
  s t can will would should could may might must not no nor so too next front top side back
  something someone somebody thing things stuff kind area part piece way while other others
  looks look looking stands standing sits sitting wearing wears holds holding get gets getting goes going
  group couple pair bunch`.split(/\s+/),
);

/** Irregular plurals and forms worth folding together. */
const IRREGULAR: Record<string, string> = {
  men: 'man',
  women: 'woman',
  children: 'child',
  people: 'person',
  feet: 'foot',
  teeth: 'tooth',
  mice: 'mouse',
  geese: 'goose',
  oxen: 'ox',
  sheep: 'sheep',
  fish: 'fish',
  deer: 'deer',
  dice: 'die',
  leaves: 'leaf',
  knives: 'knife',
  wolves: 'wolf',
  shelves: 'shelf',
  calves: 'calf',
  halves: 'half',
  grass: 'grass',
  glasses: 'glasses',
  jeans: 'jeans',
  shorts: 'shorts',
  pants: 'pants',
  stairs: 'stairs',
  dress: 'dress',
  bus: 'bus',
  goggles: 'goggles',
  sunglasses: 'sunglasses',
  clothes: 'clothes',
  news: 'news',
};

/** Crude English singular: dogs → dog, puppies → puppy, boxes → box, buses → bus. */
export function singular(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular) return irregular;
  if (word.length <= 3 || /(ss|us|is|ous)$/.test(word)) return word;
  if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|xes|zes|sses)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** Key that folds near-duplicates together: plural and -ing/-ed forms (runs, running, run). */
export function lemmaKey(word: string): string {
  let w = singular(word);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (/([^aeiou])\1$/.test(w) && !/(ll|ss)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** Broader tags added after the caption's own words when a word hints at a scene or activity. */
const TOPICS: Record<string, string[]> = {
  dog: ['pets'],
  puppy: ['pets'],
  cat: ['pets'],
  kitten: ['pets'],
  beach: ['summer'],
  ocean: ['sea'],
  wave: ['sea'],
  surf: ['surfing'],
  surfer: ['surfing'],
  surfboard: ['surfing'],
  snow: ['winter'],
  ski: ['winter'],
  skier: ['winter'],
  snowboard: ['winter'],
  sled: ['winter'],
  mountain: ['nature', 'outdoors'],
  forest: ['nature', 'outdoors'],
  field: ['outdoors'],
  grass: ['outdoors'],
  park: ['outdoors'],
  lake: ['nature'],
  river: ['nature'],
  water: ['outdoors'],
  tree: ['nature'],
  rock: ['outdoors'],
  hill: ['outdoors'],
  street: ['city'],
  city: ['urban'],
  building: ['city'],
  road: ['streetlife'],
  sidewalk: ['city'],
  bike: ['cycling'],
  bicycle: ['cycling'],
  biker: ['cycling'],
  skateboard: ['skating'],
  skateboarder: ['skating'],
  ball: ['play'],
  soccer: ['sports'],
  football: ['sports'],
  basketball: ['sports'],
  baseball: ['sports'],
  tennis: ['sports'],
  swimming: ['swim'],
  pool: ['swim'],
  climbing: ['climb'],
  climber: ['climb'],
  race: ['sports'],
  running: ['run'],
  child: ['family'],
  baby: ['family'],
  boy: ['kids'],
  girl: ['kids'],
  kid: ['kids'],
  crowd: ['people'],
  stage: ['music'],
  guitar: ['music'],
  concert: ['music'],
};

export interface KeywordHashtagOptions {
  /** Fewest tags to aim for, taking words from alternatives and topics when the caption is short. Default 3. */
  min?: number;
  /** Most tags to return. Default 10. */
  max?: number;
  /** Extra words never to tag. */
  blocklist?: Iterable<string>;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9\s'-]/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/['-]/g, ''))
    .filter(Boolean);
}

/** Hashtags from the caption's content words, e.g. "A black dog runs on the beach" → #black #dog #run #beach #pets #summer. */
export function keywordHashtags(context: HashtagContext, options: KeywordHashtagOptions = {}): string[] {
  const min = options.min ?? 3;
  const max = options.max ?? 10;
  const blocked = new Set([...shippedBlocklist(), ...(options.blocklist ?? [])]);
  const tags: string[] = [];
  const keys = new Set<string>();
  const add = (raw: string, asIs = false): boolean => {
    if (tags.length >= max) return false;
    const word = asIs ? raw : singular(raw);
    if (word.length < 3 || !/^[a-z0-9]+$/.test(word) || /^\d+$/.test(word)) return false;
    if (STOPWORDS.has(raw) || STOPWORDS.has(word) || blocked.has(raw) || blocked.has(word)) return false;
    const key = lemmaKey(word);
    if (keys.has(key) || blocked.has(key)) return false;
    keys.add(key);
    tags.push(word);
    return true;
  };

  const captionWords = words(context.caption);
  captionWords.forEach((w) => add(w));
  const topicWords = (list: string[]) => list.flatMap((w) => TOPICS[singular(w)] ?? TOPICS[w] ?? []);
  const addTopic = (w: string) => add(w, true);
  topicWords(captionWords).forEach(addTopic);
  if (tags.length < min) {
    for (const alt of context.alternatives) {
      const altWords = words(alt);
      altWords.forEach((w) => add(w));
      topicWords(altWords).forEach(addTopic);
      if (tags.length >= min) break;
    }
  }
  return tags.map((t) => `#${t}`);
}

/** The keyword baseline as a pluggable generator. */
export function createKeywordHashtagger(options: KeywordHashtagOptions = {}): HashtagGenerator {
  return { name: 'keywords', generate: (context) => keywordHashtags(context, options) };
}
