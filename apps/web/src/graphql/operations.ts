import { graphql } from './generated';

/**
 * Every GraphQL operation the browser sends. Names follow apps/api/schema.graphql; the contract
 * names (issue 2) are fixed, the extra fields (attention, analytics summary, token list) are read
 * from the schema file.
 */

export const AUTHOR_FIELDS = graphql(`
  fragment AuthorFields on User {
    id
    displayName
    avatarUrl
  }
`);

export const POST_CARD_FIELDS = graphql(`
  fragment PostCardFields on Post {
    id
    imageUrl
    width
    height
    captionStatus
    caption {
      id
      text
      source
      version
      createdAt
    }
    translations {
      language
      text
      captionId
    }
    translationStatus
    images {
      feed {
        url
        width
        height
      }
      detail {
        url
        width
        height
      }
    }
    likeCount
    viewCount
    likedByMe
    createdAt
    hashtags
    commentCount
    author {
      ...AuthorFields
    }
  }
`);

export const POST_DETAIL_FIELDS = graphql(`
  fragment PostDetailFields on Post {
    ...PostCardFields
    captionError
    hashtags
    suggestions {
      text
      score
    }
    captions {
      id
      text
      source
      version
      createdAt
    }
    attention {
      gridWidth
      gridHeight
      words {
        word
        weights
      }
    }
  }
`);

export const ME = graphql(`
  query Me {
    me {
      id
      email
      displayName
      createdAt
    }
  }
`);

export const FEED = graphql(`
  query Feed($first: Int!, $after: String, $scope: FeedScope!) {
    feed(first: $first, after: $after, scope: $scope) {
      edges {
        cursor
        node {
          ...PostCardFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const FEED_UPDATED = graphql(`
  subscription FeedUpdated {
    feedUpdated {
      ...PostCardFields
    }
  }
`);

export const POST = graphql(`
  query Post($id: ID!) {
    post(id: $id) {
      ...PostDetailFields
    }
  }
`);

export const POST_UPDATED = graphql(`
  subscription PostUpdated($postId: ID!) {
    postUpdated(postId: $postId) {
      ...PostDetailFields
    }
  }
`);

export const POST_CARD_UPDATED = graphql(`
  subscription PostCardUpdated($postId: ID!) {
    postUpdated(postId: $postId) {
      ...PostCardFields
    }
  }
`);

/** The live caption and its translations: the language switcher's fallback when a postUpdated event was missed. */
export const POST_TRANSLATIONS = graphql(`
  query PostTranslations($id: ID!) {
    post(id: $id) {
      id
      captionStatus
      caption {
        id
        text
        source
        version
        createdAt
      }
      translations {
        language
        text
        captionId
      }
      translationStatus
    }
  }
`);

export const EDIT_CAPTION = graphql(`
  mutation EditCaption($postId: ID!, $text: String!) {
    editCaption(postId: $postId, text: $text) {
      ...PostDetailFields
    }
  }
`);

export const LIKE_POST = graphql(`
  mutation LikePost($postId: ID!) {
    likePost(postId: $postId) {
      id
      likeCount
      likedByMe
    }
  }
`);

export const UNLIKE_POST = graphql(`
  mutation UnlikePost($postId: ID!) {
    unlikePost(postId: $postId) {
      id
      likeCount
      likedByMe
    }
  }
`);

export const RECORD_VIEW = graphql(`
  mutation RecordView($postId: ID!) {
    recordView(postId: $postId) {
      id
      viewCount
    }
  }
`);

export const DELETE_POST = graphql(`
  mutation DeletePost($postId: ID!) {
    deletePost(postId: $postId)
  }
`);

export const POST_DELETED = graphql(`
  subscription PostDeleted {
    postDeleted
  }
`);

export const RETRY_CAPTION = graphql(`
  mutation RetryCaption($postId: ID!) {
    retryCaption(postId: $postId) {
      ...PostDetailFields
    }
  }
`);

/** Sent by XMLHttpRequest (multipart request spec, for upload progress); the post page starts from its answer. */
export const CREATE_POST = graphql(`
  mutation CreatePost($image: Upload!, $caption: String) {
    createPost(image: $image, caption: $caption) {
      ...PostDetailFields
    }
  }
`);

export const CAPTION_ANALYTICS = graphql(`
  query CaptionAnalytics($postId: ID!) {
    captionAnalytics(postId: $postId) {
      caption {
        id
        text
        source
        version
        createdAt
      }
      views
      likes
      likeRate
    }
  }
`);

export const API_TOKENS = graphql(`
  query ApiTokens {
    apiTokens {
      id
      name
      scope
      createdAt
      lastUsedAt
      revokedAt
    }
  }
`);

export const CREATE_API_TOKEN = graphql(`
  mutation CreateApiToken($name: String!, $scope: ApiTokenScope!) {
    createApiToken(name: $name, scope: $scope) {
      id
      name
      token
      scope
      createdAt
    }
  }
`);

export const REVOKE_API_TOKEN = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id)
  }
`);

export const PROFILE_FIELDS = graphql(`
  fragment ProfileFields on User {
    id
    displayName
    bio
    avatarUrl
    createdAt
    postCount
    followerCount
    followingCount
    viewerFollows
  }
`);

export const USER_PROFILE = graphql(`
  query UserProfile($id: ID!) {
    user(id: $id) {
      ...ProfileFields
    }
  }
`);

export const USER_POSTS = graphql(`
  query UserPostsPage($id: ID!, $first: Int!, $after: String) {
    user(id: $id) {
      id
      posts(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...PostCardFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const FOLLOW = graphql(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId) {
      ...ProfileFields
    }
  }
`);

export const UNFOLLOW = graphql(`
  mutation Unfollow($userId: ID!) {
    unfollow(userId: $userId) {
      ...ProfileFields
    }
  }
`);

/** Sent by urql's fetchExchange, as a multipart request when it carries an avatar file. */
export const UPDATE_PROFILE = graphql(`
  mutation UpdateProfile($displayName: String, $bio: String, $avatar: Upload) {
    updateProfile(displayName: $displayName, bio: $bio, avatar: $avatar) {
      ...ProfileFields
    }
  }
`);

export const HASHTAG = graphql(`
  query Hashtag($tag: String!, $first: Int!, $after: String) {
    hashtag(tag: $tag) {
      tag
      postCount
      posts(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...PostCardFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const SEARCH = graphql(`
  query Search($query: String!, $first: Int!) {
    search(query: $query, first: $first) {
      posts {
        ...PostCardFields
      }
      users {
        ...AuthorFields
        bio
        followerCount
      }
      hashtags {
        tag
        postCount
      }
    }
  }
`);

export const COMMENT_FIELDS = graphql(`
  fragment CommentFields on Comment {
    id
    text
    createdAt
    author {
      ...AuthorFields
    }
  }
`);

export const COMMENTS = graphql(`
  query Comments($postId: ID!, $first: Int!, $after: String) {
    post(id: $postId) {
      id
      commentCount
      comments(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...CommentFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const ADD_COMMENT = graphql(`
  mutation AddComment($postId: ID!, $text: String!) {
    addComment(postId: $postId, text: $text) {
      ...CommentFields
    }
  }
`);

export const DELETE_COMMENT = graphql(`
  mutation DeleteComment($id: ID!) {
    deleteComment(id: $id)
  }
`);

export const COMMENT_ADDED = graphql(`
  subscription CommentAdded($postId: ID!) {
    commentAdded(postId: $postId) {
      ...CommentFields
    }
  }
`);

export const COMMENT_DELETED = graphql(`
  subscription CommentDeleted($postId: ID!) {
    commentDeleted(postId: $postId)
  }
`);

/** Ends this browser's API session (and the API tokens made in it); next-auth's signOut follows. */
export const LOG_OUT = graphql(`
  mutation LogOut {
    logOut
  }
`);

/** Ends every session of the user and revokes all their API tokens. */
export const LOG_OUT_EVERYWHERE = graphql(`
  mutation LogOutEverywhere {
    logOutEverywhere
  }
`);
