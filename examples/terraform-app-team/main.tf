# An app team's federated role, written with Terraform so that the automation's work survives every
# apply (docs/app-teams.md#8-roles-as-code). Checked with `terraform fmt -check`; a test keeps the tag
# names in step with the automation's (__tests__/examples/terraform-app-team.test.ts).

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_iam_role_policy and ignore_tags as used here; inline_policy blocks are deprecated since 5.68.
      version = ">= 5.68"
    }
  }
}

variable "tenant_id" {
  description = "The Entra directory (tenant) ID: the issuer of the account's OIDC provider."
  type        = string
}

variable "owners" {
  description = "Entra user object IDs who may add certificates to the role's application, separated by spaces (read at CreateRole only)."
  type        = string
  default     = ""
}

provider "aws" {
  region = "us-east-1"

  # The automation writes these tags on the role. Ignored here, Terraform neither removes them at the
  # next apply nor shows them as drift. The keys are listed one by one rather than with
  # key_prefixes = ["entra:"], which would also hide entra:owners below (see docs/app-teams.md).
  ignore_tags {
    keys = [
      "entra:client-id",
      "entra:tenant-id",
      "entra:service-principal-id",
      "entra:federation-status",
      "entra:owners-status",
      "entra:access",
      "entra:audience",
      "entra:identity-mode",
      "entra:federated-credentials-status",
      "entra:trust-policy-write",
    ]
  }
}

data "aws_caller_identity" "current" {}

locals {
  provider_host = "sts.windows.net/${var.tenant_id}/"
  provider_arn  = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.provider_host}"
}

resource "aws_iam_role" "deployer" {
  name = "payments-deployer"

  # A placeholder audience: the automation pins aud and sub to the role's own application within
  # seconds, and Terraform must not put the placeholder back at the next apply.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "${local.provider_host}:aud" = "api://replace-me" } }
    }]
  })

  tags = merge(
    { team = "payments" },
    var.owners == "" ? {} : { "entra:owners" = var.owners },
  )

  lifecycle {
    # The automation owns the trust policy once it has pinned it. To change it, edit it here and
    # apply once with this line removed (the automation then pins the new policy again).
    ignore_changes = [assume_role_policy]
  }
}

# Inline policies one resource each (never inline_policy blocks, nor aws_iam_role_policies_exclusive):
# Terraform then leaves alone the inline policy the automation may write, EntraRevokeOlderSessions.
resource "aws_iam_role_policy" "deploy" {
  name = "deploy"
  role = aws_iam_role.deployer.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::payments-artifacts/*" }]
  })
}

output "role_arn" {
  value = aws_iam_role.deployer.arn
}
